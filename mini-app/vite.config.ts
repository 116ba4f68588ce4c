import fs from "node:fs";
import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import zaloMiniApp from "zmp-vite-plugin";

// app-config.json lives at the repository root (one config for zmp-cli and the build); the plugin would look for it
// in the current folder, so it is read here and passed in.
const appConfig = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../app-config.json"), "utf8"));

export default defineConfig({
  root: __dirname,
  base: "",
  plugins: [zaloMiniApp(appConfig), react()],
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
