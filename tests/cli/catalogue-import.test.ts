import fs from "node:fs";
import path from "node:path";
import { ProcedureSearchResult } from "@qn/shared";
import { afterEach, describe, expect, it } from "vitest";
import { procedure } from "../../bot-server/test/fixtures";
import { runTs } from "../helpers/run";
import { startTestServer, type TestServer, tempDataDir } from "../helpers/test-server";

const IMPORT = "bot-server/scripts/catalogue-import.ts";

function writeJson(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function searchCodes(q: string): Promise<string[]> {
  const res = await fetch(`${server?.url}/api/procedures?${new URLSearchParams({ q, limit: "100" })}`);
  return ProcedureSearchResult.parse(await res.json()).items.map((i) => i.code);
}

describe("npm run catalogue:import", () => {
  it("when a valid file is imported while the server runs, then the server serves it without a restart", async () => {
    const dataDir = tempDataDir();
    server = await startTestServer({ dataDir, seedStarterCatalogue: false });
    expect(await searchCodes("chuyển trường")).toEqual([]);

    const file = writeJson(dataDir, "new.json", [
      procedure("2.002481", "Chuyển trường đối với học sinh trung học cơ sở", { field: "Giáo dục và Đào tạo" }),
      procedure("1.001193", "Đăng ký khai sinh"),
    ]);
    const run = await runTs(IMPORT, [file], { DATA_DIR: dataDir });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("2 mới");

    expect(await searchCodes("chuyen truong")).toEqual(["2.002481"]);

    // Upsert by code: the same code again updates, it does not duplicate.
    const again = writeJson(dataDir, "again.json", [procedure("1.001193", "Đăng ký khai sinh", { processingDays: 3 })]);
    const second = await runTs(IMPORT, [again], { DATA_DIR: dataDir });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("1 cập nhật");
    const detail = await fetch(`${server.url}/api/procedures/1.001193`);
    expect(((await detail.json()) as { processingDays: number }).processingDays).toBe(3);
  });

  it("when any record is invalid, then the whole file is rejected with each bad index and field, and nothing is written", async () => {
    const dataDir = tempDataDir();
    server = await startTestServer({ dataDir, seedStarterCatalogue: false });
    const file = writeJson(dataDir, "bad.json", [
      procedure("1.000894", "Đăng ký kết hôn"),
      { ...procedure("1.000656", "Đăng ký khai tử"), onlineLevel: 5 },
      { ...procedure("1.004873", "Xác nhận tình trạng hôn nhân"), fees: [{ name: "Lệ phí", amount: -1 }] },
      procedure("1.000894", "Đăng ký kết hôn (trùng mã)"),
      { ...procedure("12345", "Mã sai") },
    ]);
    const run = await runTs(IMPORT, [file], { DATA_DIR: dataDir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("không bản ghi nào được nhập");
    expect(run.stderr).toMatch(/bản ghi 1 \(mã 1\.000656\), trường onlineLevel/);
    expect(run.stderr).toMatch(/bản ghi 2 \(mã 1\.004873\), trường fees\.0\.amount/);
    expect(run.stderr).toMatch(/bản ghi 3 \(mã 1\.000894\), trường code: Mã 1\.000894 trùng với bản ghi số 0/);
    expect(run.stderr).toMatch(/bản ghi 4 \(mã 12345\), trường code/);
    expect(await searchCodes("kết hôn")).toEqual([]);
  });

  it("when the file is not JSON, is not an array or does not exist, then it says so and exits non-zero", async () => {
    const dataDir = tempDataDir();
    fs.writeFileSync(path.join(dataDir, "broken.json"), "[{");
    const broken = await runTs(IMPORT, [path.join(dataDir, "broken.json")], { DATA_DIR: dataDir });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain("không phải JSON hợp lệ");

    const object = await runTs(IMPORT, [writeJson(dataDir, "object.json", { code: "1.001193" })], {
      DATA_DIR: dataDir,
    });
    expect(object.code).toBe(1);
    expect(object.stderr).toContain("phải là một mảng JSON");

    const missing = await runTs(IMPORT, [path.join(dataDir, "missing.json")], { DATA_DIR: dataDir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("không tồn tại");

    const usage = await runTs(IMPORT, [], { DATA_DIR: dataDir });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("Cách dùng");
  });
});
