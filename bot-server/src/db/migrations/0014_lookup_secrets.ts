import { randomInt } from "node:crypto";
import { type Kysely, type Migration, sql } from "kysely";

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // The receipt's secret (issue 13, finding 6): the public lookup shows the details only to whoever gives it. Kept
    // readable, not hashed, so that the owner, the filer and the unit's officials can show it again (a lost receipt).
    await db.schema.alterTable("dossiers").addColumn("lookup_secret", "text").execute();
    // Dossiers filed before have one too, drawn as new ones are (records/dossier-code.ts; written out here, a shipped
    // migration must not change with the code), so that their owners can show it.
    const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    const rows = await sql<{ id: number }>`SELECT id FROM dossiers WHERE lookup_secret IS NULL`.execute(db);
    for (const { id } of rows.rows) {
      const secret = Array.from({ length: 6 }, () => alphabet[randomInt(alphabet.length)]).join("");
      await sql`UPDATE dossiers SET lookup_secret = ${secret} WHERE id = ${id}`.execute(db);
    }
  },
};
