import {
  type ColumnDataType,
  type ColumnDefinitionBuilder,
  type Kysely,
  PostgresAdapter,
  type RawBuilder,
  sql,
} from "kysely";

/**
 * The one seam between the two databases the bot server runs on (issue 16): SQLite embedded (the default, `npm start`)
 * and PostgreSQL (`DATABASE_URL=postgres://…`, several instances). Everything that is written differently for the two
 * is here, so that migrations and queries say what they mean and this file says how each database spells it.
 */

export type Dialect = "sqlite" | "postgres";

/** Which database a Kysely instance talks to. */
export function dialectOf(db: Kysely<unknown> | { getExecutor(): { adapter: unknown } }): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

type ColumnBuild = (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

/**
 * An integer primary key the database numbers: SQLite's `INTEGER PRIMARY KEY AUTOINCREMENT` (ids never reused), a
 * PostgreSQL identity column (Kysely's `autoIncrement()` is SQLite's and MySQL's only). Use as
 * `.addColumn("id", ...autoId(db))`.
 */
export function autoId(db: Kysely<unknown>): [ColumnDataType, ColumnBuild] {
  return dialectOf(db) === "postgres"
    ? ["integer", (c) => c.primaryKey().generatedByDefaultAsIdentity()]
    : ["integer", (c) => c.primaryKey().autoIncrement()];
}

/**
 * The Vietnamese calendar year of an ISO instant stored as text (`yyyy-mm-ddThh:mm:ss.sssZ`, UTC), as a 4-character
 * string: the expression the reports' year indexes are built on and their queries must repeat exactly (both databases
 * use an expression index only for the identical expression). SQLite: `strftime` seven hours on. PostgreSQL may index
 * only immutable expressions, and parsing text into a timestamp is not: there the year is read off the text — the next
 * one from 17:00 UTC on 31 December (00:00 in Vietnam, which keeps no summer time).
 */
export function vietnamYearOf(dialect: Dialect, column: string): RawBuilder<string> {
  const c = sql.ref(column);
  return dialect === "postgres"
    ? sql<string>`(CASE WHEN substr(${c}, 6) >= '12-31T17' THEN lpad((substr(${c}, 1, 4)::integer + 1)::text, 4, '0') ELSE substr(${c}, 1, 4) END)`
    : sql<string>`strftime('%Y', ${c}, '+7 hours')`;
}

/** Whether an error is a unique constraint refusing a row (SQLite's SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY, PG's 23505). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "23505";
}

/**
 * Whether the database refused a request's text as text: PostgreSQL's 22021 (a NUL byte, or bytes that are not UTF-8)
 * and 22P05. SQLite stores such bytes as they are. A request that carries them is malformed, not a server fault.
 */
export function isTextRefused(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "22021" || code === "22P05";
}
