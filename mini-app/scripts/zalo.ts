/**
 * `npm run build:zalo` and `npm run deploy:zalo` (README, "Deploying to Zalo"; docs/decisions/0012).
 *
 * build: the mini-app as Zalo hosts it, into mini-app/dist — exactly what `zmp deploy` uploads: the bundle and
 * dist/app-config.json (written by zmp-vite-plugin with listCSS/listSyncJS), without index.html, which zmp deploy
 * does not upload (Zalo's host writes the page from app-config.json). MINI_APP_API_URL must be the bot server's
 * https:// address. It checks zmp-cli's own limits (3 MB per file, 10 MB zipped in all) before anyone uploads.
 *
 * deploy: zmp-cli cannot be a dependency (it needs fs@0.0.1-security, which our registry does not serve), so this
 * prints the exact commands for a machine that has zmp-cli and a Zalo login, and runs them with `--run`.
 * zmp-cli 4.0.3 facts (read from its source): `deploy --existing` is the mode for projects that build themselves
 * (it skips the build), `--outputDir` names the folder (default `www`), `--testing` deploys a testing version,
 * `--desc` describes the version; it reads app-config.json and the login (.env: APP_ID, ZMP_TOKEN) from the current
 * folder, so it runs inside dist; `login --app-id <id> --token <app access token>` logs in without the QR code.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const MINI_APP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DIST = path.join(MINI_APP, "dist");
const ZMP_CLI = "zmp-cli@4.0.3";
const FILE_LIMIT = 3 * 1024 * 1024; // zmp-cli SIZE_LIMIT_MB.FILE
const ZIP_LIMIT = 10 * 1024 * 1024; // zmp-cli SIZE_LIMIT_MB.ZIP

function fail(message: string): never {
  console.error(`build:zalo/deploy:zalo: ${message}`);
  process.exit(1);
}

function files(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => fs.statSync(path.join(dir, f)).isFile());
}

function build(): void {
  const api = process.env.MINI_APP_API_URL?.trim() ?? "";
  if (!api)
    fail("set MINI_APP_API_URL to the bot server's address, e.g. MINI_APP_API_URL=https://dvc.quangninh.gov.vn");
  if (!api.startsWith("https://")) fail(`MINI_APP_API_URL must be https:// inside Zalo, not "${api}"`);
  const vite = spawnSync("npx", ["vite", "build"], { cwd: MINI_APP, stdio: "inherit", env: process.env });
  if (vite.status !== 0) fail("vite build failed");
  fs.rmSync(path.join(DIST, "index.html"), { force: true });
  const config = JSON.parse(fs.readFileSync(path.join(DIST, "app-config.json"), "utf8")) as {
    listSyncJS?: string[];
    listAsyncJS?: string[];
    listCSS?: string[];
  };
  if (!config.listSyncJS?.length && !config.listAsyncJS?.length) fail("dist/app-config.json lists no script");
  for (const listed of [...(config.listSyncJS ?? []), ...(config.listAsyncJS ?? []), ...(config.listCSS ?? [])]) {
    if (!fs.existsSync(path.join(DIST, listed))) fail(`app-config.json lists ${listed}, which is not in dist`);
  }
  let total = 0;
  for (const f of files(DIST)) {
    const body = fs.readFileSync(path.join(DIST, f));
    if (body.length > FILE_LIMIT) fail(`${f} is ${(body.length / 1048576).toFixed(2)} MB; zmp deploy allows 3 MB`);
    total += gzipSync(body).length;
  }
  if (total > ZIP_LIMIT)
    fail(`the bundle is about ${(total / 1048576).toFixed(1)} MB compressed; zmp deploy allows 10`);
  console.log(
    `mini-app/dist is ready for zmp deploy: ${files(DIST).length} files, about ${Math.round(total / 1024)} KB compressed, API ${api}`,
  );
}

function deploy(args: string[]): void {
  if (!fs.existsSync(path.join(DIST, "app-config.json")) || fs.existsSync(path.join(DIST, "index.html"))) {
    fail("mini-app/dist is not a Zalo build: run `npm run build:zalo` first");
  }
  const testing = args.includes("--testing");
  const desc = process.env.ZMP_DESC ?? `Dịch vụ công Quảng Ninh ${new Date().toISOString().slice(0, 10)}`;
  const login =
    process.env.ZMP_APP_ID && process.env.ZMP_ACCESS_TOKEN
      ? ["npx", "--yes", ZMP_CLI, "login", "--app-id", process.env.ZMP_APP_ID, "--token", process.env.ZMP_ACCESS_TOKEN]
      : ["npx", "--yes", ZMP_CLI, "login"];
  const deployCmd = ["npx", "--yes", ZMP_CLI, "deploy", "--existing", "--outputDir", ".", "--desc", desc];
  if (testing) deployCmd.push("--testing");
  const shown = (cmd: string[]) =>
    cmd
      .map((a) =>
        a === process.env.ZMP_ACCESS_TOKEN ? '"$ZMP_ACCESS_TOKEN"' : /[\s"]/.test(a) ? JSON.stringify(a) : a,
      )
      .join(" ");
  if (!args.includes("--run")) {
    console.log("On a machine with zmp-cli's registry and a Zalo login, from the repository root:\n");
    console.log(`  cd mini-app/dist`);
    console.log(`  ${shown(login)}    # once per machine; writes .env (APP_ID, ZMP_TOKEN) here`);
    console.log(`  ${shown(deployCmd)}\n`);
    console.log(
      "Or run them: npm run deploy:zalo -- --run [--testing] (ZMP_APP_ID and ZMP_ACCESS_TOKEN log in without the QR code).",
    );
    return;
  }
  const env = path.join(DIST, ".env");
  try {
    if (!fs.existsSync(env)) {
      const l = spawnSync(login[0] as string, login.slice(1), { cwd: DIST, stdio: "inherit" });
      if (l.status !== 0) fail("zmp login failed");
    }
    const d = spawnSync(deployCmd[0] as string, deployCmd.slice(1), { cwd: DIST, stdio: "inherit" });
    if (d.status !== 0) fail("zmp deploy failed");
  } finally {
    fs.rmSync(env, { force: true }); // the login token never stays beside the bundle
  }
}

const [command, ...rest] = process.argv.slice(2);
if (command === "build") build();
else if (command === "deploy") deploy(rest);
else fail("usage: zalo.ts build | deploy [--run] [--testing]");
