/**
 * `npm run catalogue:import -- <file.json>`: validates a catalogue file as a whole and upserts it by code into the
 * database under DATA_DIR. A file with any invalid record is rejected whole, with a report of each bad record.
 * A running server picks the change up on its next request.
 */
import path from "node:path";
import { ConfigError, loadConfig } from "../src/config";
import { openDatabase } from "../src/db/database";
import { importCatalogue, readCatalogueFile } from "../src/modules/procedures/catalogue-import";
import { CatalogueImportError } from "../src/modules/procedures/procedure.errors";
import { ProcedureRepository } from "../src/modules/procedures/procedure.repository";

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((a) => a !== "--");
  if (args.length !== 1) {
    console.error("Cách dùng: npm run catalogue:import -- <tệp.json>");
    return 2;
  }
  const config = loadConfig();
  const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), args[0] as string);
  const db = await openDatabase(config.dataDir);
  try {
    const outcome = await importCatalogue(new ProcedureRepository(db), readCatalogueFile(file));
    console.log(
      `Đã nhập ${outcome.total} thủ tục từ ${file}: ${outcome.inserted} mới, ${outcome.updated} cập nhật, ${outcome.unchanged} không đổi.`,
    );
    return 0;
  } catch (error) {
    if (error instanceof CatalogueImportError) {
      console.error(`${error.message}\n`);
      for (const p of error.problems) {
        const where = p.index === null ? "" : `bản ghi ${p.index}${p.code ? ` (mã ${p.code})` : ""}, `;
        console.error(`  - ${where}trường ${p.field}: ${p.message}`);
      }
      return 1;
    }
    throw error;
  } finally {
    await db.destroy();
  }
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error) => {
    if (error instanceof ConfigError) console.error(error.message);
    else console.error(error);
    process.exitCode = 1;
  });
