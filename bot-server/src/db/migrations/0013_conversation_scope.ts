import { type Kysely, type Migration, sql } from "kysely";

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // Who answers a citizen handed off by the chatbot: the officials of the hand-off's unit (the citizen's commune,
    // chatbot/conversations.ts), the official it is assigned to, and the province's support desk.
    await db.schema.alterTable("zalo_users").addColumn("handoff_unit_code", "text").execute();
    await db.schema.alterTable("zalo_users").addColumn("handoff_assignee_id", "integer").execute();
    // Hand-offs made before: the same rule as a new one — the unit of the citizen's latest dossier, else a commune
    // whose news they subscribed to, else the province.
    await sql`UPDATE zalo_users SET handoff_unit_code = COALESCE(
      (SELECT dossiers.unit_code FROM citizens JOIN dossiers ON dossiers.citizen_id = citizens.id
        WHERE citizens.zalo_id = zalo_users.app_user_id ORDER BY dossiers.submitted_at DESC, dossiers.id DESC LIMIT 1),
      (SELECT subscriptions.value FROM subscriptions
        WHERE subscriptions.user_id = zalo_users.user_id AND subscriptions.kind = 'commune'
        ORDER BY subscriptions.created_at DESC LIMIT 1),
      '22')
      WHERE handoff_requested_at IS NOT NULL`.execute(db);
  },
};
