import path from "node:path";
import SQLite from "better-sqlite3";
import { DATABASE_FILE } from "../../bot-server/src/db/database";

export type Statement = { sql: string; params: unknown[] };

/** Runs `work` and returns every statement run meanwhile on any better-sqlite3 connection, with its parameters. */
export async function statementsOf(work: () => Promise<void>): Promise<Statement[]> {
  const seen: Statement[] = [];
  // Every connection's statements share one prototype: wrapping it records the server's cached statements too.
  const probe = new SQLite(":memory:");
  const target = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Record<string, unknown>;
  probe.close();
  const methods = ["all", "get", "run", "iterate"] as const;
  const saved = methods.map((m) => target[m] as (...args: unknown[]) => unknown);
  methods.forEach((m, i) => {
    const run = saved[i] as (...args: unknown[]) => unknown;
    target[m] = function (this: SQLite.Statement, ...params: unknown[]) {
      seen.push({ sql: this.source, params });
      return run.apply(this, params);
    };
  });
  try {
    await work();
  } finally {
    methods.forEach((m, i) => {
      target[m] = saved[i];
    });
  }
  return seen;
}

/**
 * The statements that would read `table` whole, as SQLite plans them for the database in `dataDir` (EXPLAIN QUERY
 * PLAN on a second, read-only connection).
 */
export function fullScans(dataDir: string, statements: Statement[], table: string): string[] {
  const db = new SQLite(path.join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const scans = new Set<string>();
    for (const { sql, params } of statements) {
      if (!/^\s*(select|update|delete|insert|with)/i.test(sql)) continue;
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(params as never[])) as { detail: string }[];
      for (const { detail } of plan) {
        if (new RegExp(`^SCAN ${table}\\b`).test(detail) && !/USING (COVERING )?INDEX/.test(detail)) scans.add(sql);
      }
    }
    return [...scans];
  } finally {
    db.close();
  }
}
