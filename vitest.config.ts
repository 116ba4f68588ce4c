import { defineConfig } from "vitest/config";

/**
 * Three projects (`npm run test:unit`, `test:api`, `test:e2e`; `npm test` runs all three). Each inherits the settings
 * below (`extends: true`): msw and the console.error guard in every test, the timeouts, one process per file.
 */
export default defineConfig({
  test: {
    exclude: ["**/node_modules/**", "**/dist/**"],
    setupFiles: ["tests/setup/vitest.setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      {
        // No server, no browser: the packages' own tests.
        extends: true,
        test: { name: "unit", include: ["shared/**/*.test.ts", "bot-server/**/*.test.ts"] },
      },
      {
        // The real server (in-process or spawned), the CLIs and the crash tests: every test under tests/ but E2E.
        extends: true,
        test: { name: "api", include: ["tests/**/*.test.ts"], exclude: ["**/node_modules/**", "tests/e2e/**"] },
      },
      {
        // Chromium against the built front-ends, built once per run by the globalSetup while the other projects run:
        // this project runs after them (groupOrder 1).
        extends: true,
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          globalSetup: ["tests/setup/e2e.global-setup.ts"],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
