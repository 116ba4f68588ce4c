import fs from "node:fs";
import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import zaloMiniApp from "zmp-vite-plugin";

// app-config.json lives at the repository root (one config for zmp-cli and the build); the plugin would look for it
// in the current folder, so it is read here and passed in.
const appConfig = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../app-config.json"), "utf8"));

/**
 * `MINI_APP_API_URL`: the bot server's absolute URL for a build that Zalo hosts (`npm run build:zalo`); empty when the
 * bot server serves the app itself. Read by the app in `src/api/origin.ts` only. A bad value stops the build rather
 * than shipping an app that cannot reach its server.
 */
export function apiBaseUrl(value: string | undefined): string {
  const trimmed = (value ?? "").trim();
  if (trimmed === "") return "";
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new Error(`MINI_APP_API_URL must be an absolute URL such as https://dvc.quangninh.gov.vn, not "${trimmed}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`MINI_APP_API_URL must start with https:// (http:// only for local tests), not "${trimmed}"`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new Error("MINI_APP_API_URL is the server's address only: no query, fragment or credentials");
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

export default defineConfig({
  root: __dirname,
  base: "",
  plugins: [zaloMiniApp(appConfig), react()],
  define: {
    __MINI_APP_API_URL__: JSON.stringify(apiBaseUrl(process.env.MINI_APP_API_URL)),
    // Zalo's own navigation bar when app-config.json asks for it (src/zalo.ts, zaloNativeHeader).
    __ZALO_NATIVE_HEADER__: JSON.stringify(appConfig.app?.actionBarHidden === false),
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    rollupOptions: {
      // zod ships comments Rollup cannot place; it drops them and says so on every build.
      onwarn(warning, warn) {
        if (warning.code === "INVALID_ANNOTATION") return;
        warn(warning);
      },
    },
  },
  server: {
    // Development: the bot server answers the API (npm run dev in another terminal).
    proxy: { "/api": "http://localhost:3000", "/healthz": "http://localhost:3000" },
  },
});
