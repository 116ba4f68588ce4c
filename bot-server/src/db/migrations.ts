import type { Migration, MigrationProvider } from "kysely";
import { migration as m0001 } from "./migrations/0001_catalogue";
import { migration as m0002 } from "./migrations/0002_dossiers";
import { migration as m0003 } from "./migrations/0003_zalo";
import { migration as m0004 } from "./migrations/0004_outbox";
import { migration as m0005 } from "./migrations/0005_reports";
import { migration as m0006 } from "./migrations/0006_admin";
import { migration as m0007 } from "./migrations/0007_reports_speed";
import { migration as m0008 } from "./migrations/0008_portal_api";
import { migration as m0009 } from "./migrations/0009_portal_forwarding";
import { migration as m0010 } from "./migrations/0010_portal_api_changes_in_code";
import { migration as m0012 } from "./migrations/0012_announcement_history";
import { migration as m0013 } from "./migrations/0013_conversation_scope";
import { migration as m0014 } from "./migrations/0014_lookup_secrets";
import { migration as m0015 } from "./migrations/0015_dossier_spam";
import { migration as m0016 } from "./migrations/0016_file_references";
import { migration as m0017 } from "./migrations/0017_security_alerts";
import { migration as m0018 } from "./migrations/0018_payments";
import { migration as m0019 } from "./migrations/0019_postal";
import { migration as m0020 } from "./migrations/0020_shared_limits";
import { migration as m0021 } from "./migrations/0021_leases_and_inbox";

/**
 * Versioned migrations, one file each in migrations/, applied in name order at start and recorded by Kysely in
 * `kysely_migration`. Written with Kysely's schema builder so that the same steps run on PostgreSQL. Never edit a
 * migration that has shipped: add a new one.
 */
const migrations: Record<string, Migration> = {
  "0001_catalogue": m0001,
  "0002_dossiers": m0002,
  "0003_zalo": m0003,
  "0004_outbox": m0004,
  "0005_reports": m0005,
  "0006_admin": m0006,
  "0007_reports_speed": m0007,
  "0008_portal_api": m0008,
  "0009_portal_forwarding": m0009,
  "0010_portal_api_changes_in_code": m0010,
  "0012_announcement_history": m0012,
  "0013_conversation_scope": m0013,
  "0014_lookup_secrets": m0014,
  "0015_dossier_spam": m0015,
  "0016_file_references": m0016,
  "0017_security_alerts": m0017,
  "0018_payments": m0018,
  "0019_postal": m0019,
  "0020_shared_limits": m0020,
  "0021_leases_and_inbox": m0021,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
