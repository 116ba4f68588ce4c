/**
 * `npm run catalogue:generate -- <count> <file.json>`: writes a synthetic catalogue of <count> procedures built from the
 * starter catalogue's vocabulary (benchmarks only; valid input for `catalogue:import`).
 */
import fs from "node:fs";
import path from "node:path";
import { generateCatalogue } from "../bench/synthetic-catalogue";
import { validateCatalogue } from "../src/modules/procedures/catalogue-import";
import { loadStarterCatalogue } from "../src/modules/procedures/starter-catalogue";

const [countArg, fileArg] = process.argv.slice(2).filter((a) => a !== "--");
const count = Number(countArg);
if (!Number.isInteger(count) || count < 1 || count > 9_000_000 || !fileArg) {
  console.error("Cách dùng: npm run catalogue:generate -- <số thủ tục, ví dụ 10000> <tệp.json>");
  process.exit(2);
}
const base = validateCatalogue(loadStarterCatalogue().records);
const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), fileArg);
fs.writeFileSync(file, JSON.stringify(generateCatalogue(base, count)));
console.log(`Đã tạo ${count} thủ tục tổng hợp tại ${file}`);
