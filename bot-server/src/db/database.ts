import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { migrationProvider } from "./migrations";
import type { Database } from "./schema";

export type Db = Kysely<Database>;

export const DATABASE_FILE = "dvc.sqlite";

/**
 * Opens the embedded SQLite database under `dataDir` (WAL mode, foreign keys on, a busy timeout so that a CLI import
 * and the running server can share the file) and applies pending migrations. See docs/decisions/0002.
 */
export async function openDatabase(dataDir: string, onQuery?: (milliseconds: number) => void): Promise<Db> {
  const file = path.join(dataDir, DATABASE_FILE);
  privateDataDir(dataDir);
  // Identity numbers and phones live in this file: only the server's own user may read it. SQLite gives its -wal and
  // -shm files the database file's permissions.
  fs.closeSync(fs.openSync(file, "a", 0o600));
  narrow(file, 0o600);
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    // Benchmarks measure database time per message through this hook.
    ...(onQuery ? { log: (event) => onQuery(event.queryDurationMillis) } : {}),
  });
  try {
    await migrate(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

/**
 * Opens the PostgreSQL database at `url` (`DATABASE_URL`, issue 16) and applies pending migrations — the same history
 * as SQLite's, spelt for PostgreSQL where they differ (db/dialect.ts). Kysely's migrator takes PostgreSQL's advisory
 * lock, so instances starting together migrate once. A pool of `poolSize` connections per instance.
 */
export async function openPostgres(
  url: string,
  options: { poolSize?: number; onQuery?: (milliseconds: number) => void } = {},
): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    ...(options.onQuery ? { log: (event) => options.onQuery?.(event.queryDurationMillis) } : {}),
  });
  try {
    await migrate(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

/** DATA_DIR holds personal data: created, or narrowed if it exists, so that only the server's user can enter it. */
function privateDataDir(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  narrow(dataDir, 0o700);
}

/** chmod, except on a path this user does not own (a mounted volume): then its owner decides, as before. */
function narrow(target: string, mode: number): void {
  try {
    fs.chmodSync(target, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") throw error;
  }
}

export async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    const name = failed?.migrationName ?? "?";
    throw new Error(`Migration ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const STATEMENT_CACHE = 500;

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs about as much as running a small query. The same
 * SQL text (parameters are bound separately) reuses its prepared statement; the least recently used are dropped.
 */
function withStatementCache(sqlite: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = (source: string): SQLite.Statement => {
    let statement = cache.get(source);
    if (statement) {
      cache.delete(source);
    } else {
      statement = sqlite.prepare(source);
      if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value as string);
    }
    cache.set(source, statement);
    return statement;
  };
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      if (property === "prepare") return prepare;
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
