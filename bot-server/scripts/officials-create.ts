/**
 * `npm run officials:create -- --username <u> --name "<họ tên>" --role official|hcc|volunteer|admin --unit <mã đơn vị>`
 * Creates an officials' account in the database under DATA_DIR. The password is read from standard input (one line),
 * so that it appears neither in the shell history nor in the process list:
 *   echo 'mật-khẩu-đủ-dài' | npm run officials:create -- --username hatu.tn --name "Trần Thị B" --role official --unit 06652
 */
import { parseArgs } from "node:util";
import { describeIssues } from "@qn/shared";
import { ZaloGraphClient } from "../src/clients/zalo-graph.client";
import { ConfigError, loadConfig } from "../src/config";
import { openDatabase } from "../src/db/database";
import { AppError } from "../src/errors/app-error";
import { AuthService, NewOfficial } from "../src/modules/auth/auth.service";
import { resolveSessionSecret, SessionService } from "../src/modules/auth/session.service";
import { seedReceivingUnits } from "../src/modules/dossiers/receiving-units";

async function readPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "";
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== "--"),
    options: {
      username: { type: "string" },
      name: { type: "string" },
      role: { type: "string" },
      unit: { type: "string" },
    },
  });
  const parsed = NewOfficial.safeParse({
    username: values.username,
    name: values.name,
    role: values.role,
    unitCode: values.unit,
    password: await readPassword(),
  });
  if (!parsed.success) {
    console.error("Thông tin tài khoản chưa đúng:");
    for (const d of describeIssues(parsed.error)) console.error(`  - ${d.path}: ${d.message}`);
    console.error(
      'Cách dùng: echo "<mật khẩu>" | npm run officials:create -- --username <u> --name "<họ tên>" --role official|hcc|volunteer|admin --unit <mã đơn vị>',
    );
    return 2;
  }
  const config = loadConfig();
  const db = await openDatabase(config.dataDir);
  try {
    await seedReceivingUnits(db);
    const auth = new AuthService(
      db,
      new SessionService(db, resolveSessionSecret(config.sessionSecret, config.dataDir)),
      new ZaloGraphClient(config.zalo.graphUrl, config.zalo.appSecret),
      { citizenSessionHours: 1, officialSessionHours: 1, loginAlertFailures: 10, offline: true },
    );
    const created = await auth.createOfficial(parsed.data);
    console.log(`Đã tạo tài khoản ${created.username} (${created.role}, đơn vị ${created.unitCode}).`);
    return 0;
  } catch (error) {
    if (error instanceof AppError) {
      console.error(error.message);
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
    console.error(error instanceof ConfigError ? error.message : error);
    process.exitCode = 1;
  });
