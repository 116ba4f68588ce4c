/**
 * A stand-in for Zalo's mini-app host (h5.zdn.vn) in the in-Zalo end-to-end test. Like Zalo it serves our uploaded
 * bundle under /zapps/<appId>/ and writes the page itself from app-config.json (listCSS, listSyncJS, listAsyncJS;
 * our index.html is not uploaded), with `window.APP_ID` set. It also serves the temporary files that Zalo's camera
 * and pickers hand to the app (/zalo-temp/<name>), on the app's own origin as Zalo does.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

const TYPES: Record<string, string> = {
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".svg": "image/svg+xml",
  ".woff2": "font/woff2",
};

export type ZaloHost = {
  /** Our origin on this host, to list in the bot server's CORS_ORIGINS. */
  origin: string;
  appUrl: string;
  /** Serves a build (`npm run build:zalo`'s output): the host must be up first, its origin goes into the build's server. */
  serve: (dist: string) => void;
  close: () => Promise<void>;
};

export async function startZaloHost(options: {
  appId: string;
  /** Temporary files the double's camera and pickers return, by name. */
  tempFiles: Record<string, { type: string; body: Buffer }>;
  /** The host name the app is served on (a different origin from the bot server's 127.0.0.1). */
  hostname?: string;
}): Promise<ZaloHost> {
  const base = `/zapps/${options.appId}/`;
  let dist = "";
  let page = "";
  const serve = (folder: string) => {
    dist = folder;
    page = pageFor(folder, options.appId, base);
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://host");
    if (url.pathname.startsWith("/zalo-temp/")) {
      const file = options.tempFiles[decodeURIComponent(url.pathname.slice("/zalo-temp/".length))];
      if (!file) return res.writeHead(404).end();
      res.writeHead(200, { "Content-Type": file.type });
      return res.end(file.body);
    }
    if (!url.pathname.startsWith(base)) return res.writeHead(404).end();
    const relative = url.pathname.slice(base.length);
    const file = path.join(dist, relative);
    if (!dist) return res.writeHead(503).end();
    if (relative && path.extname(relative) && file.startsWith(dist) && fs.existsSync(file)) {
      res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] ?? "application/octet-stream" });
      return res.end(fs.readFileSync(file));
    }
    // Every other path under the app is the app's page: its router decides (history routing inside Zalo).
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://${options.hostname ?? "localhost"}:${port}`;
  return {
    origin,
    appUrl: `${origin}${base}`,
    serve,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The page Zalo writes for a mini-app: our CSS and scripts as app-config.json lists them, and `window.APP_ID`. */
function pageFor(dist: string, appId: string, base: string): string {
  const config = JSON.parse(fs.readFileSync(path.join(dist, "app-config.json"), "utf8")) as {
    listCSS: string[];
    listSyncJS: string[];
    listAsyncJS: string[];
  };
  return [
    "<!doctype html>",
    '<html lang="vi"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1.0, viewport-fit=cover">',
    `<script>window.APP_ID = ${JSON.stringify(appId)};</script>`,
    ...config.listCSS.map((href) => `<link rel="stylesheet" href="${base}${href}">`),
    '</head><body><div id="app"></div>',
    ...config.listSyncJS.map((src) => `<script type="module" src="${base}${src}"></script>`),
    ...config.listAsyncJS.map((src) => `<script type="module" async src="${base}${src}"></script>`),
    "</body></html>",
  ].join("\n");
}
