import { type Kysely, sql } from "kysely";
import { dialectOf } from "../../bot-server/src/db/dialect";

/**
 * Makes the database refuse a write, as a full disk or a lost connection would, for the tests of what a failure in
 * the middle of a use case leaves: a trigger that raises before `event` on `table` (only for rows whose `column`
 * equals `value`, if given), on SQLite or PostgreSQL. Returns what removes it.
 */
export async function refuseWrites(
  // biome-ignore lint/suspicious/noExplicitAny: any database of the app; the trigger is raw SQL.
  db: Kysely<any>,
  fault: { name: string; table: string; event: "INSERT" | "UPDATE"; column?: string; value?: number },
): Promise<() => Promise<void>> {
  const { name, table, event } = fault;
  if (!/^[a-z_]+$/.test(name) || !/^[a-z_]+$/.test(table) || (fault.column && !/^[a-z_]+$/.test(fault.column))) {
    throw new Error("refuseWrites: plain names only");
  }
  const condition = fault.column === undefined ? "" : `WHEN (NEW.${fault.column} = ${Number(fault.value)})`;
  if (dialectOf(db) === "postgres") {
    await sql
      .raw(
        `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`,
      )
      .execute(db);
    await sql
      .raw(`CREATE TRIGGER ${name} BEFORE ${event} ON ${table} FOR EACH ROW ${condition} EXECUTE FUNCTION ${name}()`)
      .execute(db);
    return async () => {
      await sql.raw(`DROP TRIGGER ${name} ON ${table}`).execute(db);
      await sql.raw(`DROP FUNCTION ${name}()`).execute(db);
    };
  }
  await sql
    .raw(
      `CREATE TRIGGER ${name} BEFORE ${event} ON ${table} ${condition} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
    )
    .execute(db);
  return async () => {
    await sql.raw(`DROP TRIGGER ${name}`).execute(db);
  };
}
