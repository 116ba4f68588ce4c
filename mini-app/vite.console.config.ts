import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * The officials' console: a desktop web app with its own entry (console.html), built beside the mini-app into
 * dist-console and served by the bot server at /console. It is not part of the Zalo mini-app package (zmp-cli deploys
 * dist/ only), and it uses neither zmp-ui nor zmp-sdk. See docs/decisions/0009.
 */
export default defineConfig({
  root: __dirname,
  base: "/console/",
  plugins: [react()],
  build: {
    outDir: "dist-console",
    emptyOutDir: true,
    rollupOptions: {
      input: path.resolve(__dirname, "console.html"),
      onwarn(warning, warn) {
        if (warning.code === "INVALID_ANNOTATION") return;
        warn(warning);
      },
    },
  },
  server: {
    port: 5174,
    proxy: { "/api": "http://localhost:3000" },
  },
});
