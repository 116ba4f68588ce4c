import os from "node:os";
import { defineConfig } from "vitest/config";

/**
 * Three projects (`npm run test:unit`, `test:api`, `test:e2e`; `npm test` runs all three), and a fourth, `api-postgres`,
 * when TEST_DATABASE_URL names a PostgreSQL server. Each inherits the settings
 * below (`extends: true`): msw and the console.error guard in every test (the setup file runs again for each test
 * file), the timeouts, the forks pool.
 *
 * The forks are not isolated: a forked process runs one test file after another, and the modules it loaded stay
 * loaded (importing the bot server took about 3 s per file, most of test:api's time on two CPUs). Each project still
 * gets processes of its own, and each test file still starts its own server on its own temporary database; but what
 * a file leaves in a module (a singleton, a patched global) a later file in that process sees, so keep state in what a
 * test creates. `--isolate` on the command line runs every file in a process of its own again.
 *
 * At least two forks, even on two CPUs (Vitest's default is one fewer than the CPUs: a single fork there): much of a
 * test's time is spent waiting for the processes, servers and browsers it started, and the second fork uses it.
 * `--maxWorkers=1` runs one file at a time.
 */
export default defineConfig({
  test: {
    exclude: ["**/node_modules/**", "**/dist/**"],
    setupFiles: ["tests/setup/vitest.setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    poolOptions: { forks: { isolate: false } },
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    projects: [
      {
        // No server, no browser: the packages' own tests.
        extends: true,
        test: {
          name: "unit",
          include: ["shared/**/*.test.ts", "bot-server/**/*.test.ts", "mini-app/src/**/*.test.ts"],
        },
      },
      {
        // The real server (in-process or spawned), the CLIs and the crash tests: every test under tests/ but E2E.
        extends: true,
        test: { name: "api", include: ["tests/**/*.test.ts"], exclude: ["**/node_modules/**", "tests/e2e/**"] },
      },
      // The same api tests on PostgreSQL (issue 16), when the run has one: TEST_DATABASE_URL, an administrator's
      // connection (.ci/run starts Debian's PostgreSQL and sets it). Each test server gets a database of its own
      // (tests/helpers/test-server.ts). The e2e project runs on SQLite only.
      ...(process.env.TEST_DATABASE_URL
        ? [
            {
              extends: true as const,
              test: {
                name: "api-postgres",
                include: ["tests/**/*.test.ts"],
                // The crash tests' servers get the database too (tests/helpers/test-server.ts databaseEnv); the CLI
                // tests are about SQLite's DATA_DIR (the catalogue import, the start-up checks) and run on it alone.
                exclude: ["**/node_modules/**", "tests/e2e/**", "tests/cli/**"],
                env: { QN_TEST_POSTGRES: "1" },
              },
            },
          ]
        : []),
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
