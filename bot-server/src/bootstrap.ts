import { type AppDeps, createApp } from "./app";
import { ZaloGraphClient } from "./clients/zalo-graph.client";
import type { Config } from "./config";
import { type Db, openDatabase } from "./db/database";
import { createLogger, type Logger } from "./logger";
import { AuthService } from "./modules/auth/auth.service";
import { resolveSessionSecret, SessionService } from "./modules/auth/session.service";
import { CalendarService } from "./modules/calendar/calendar.service";
import { AttachmentStore } from "./modules/dossiers/attachment-store";
import { DossierService } from "./modules/dossiers/dossier.service";
import { seedReceivingUnits } from "./modules/dossiers/receiving-units";
import { EmbeddedPortal } from "./modules/portal/embedded-portal";
import type { PortalGateway } from "./modules/portal/portal-gateway";
import { ProcedureRepository } from "./modules/procedures/procedure.repository";
import { ProcedureService } from "./modules/procedures/procedure.service";
import { seedStarterCatalogue } from "./modules/procedures/starter-catalogue";

/**
 * Opens the database, migrates, seeds the reference data (catalogue, receiving units, holidays) and wires the
 * services: everything `createApp` needs.
 */
export async function bootstrap(config: Config, logger: Logger = createLogger(config.logLevel)) {
  const db: Db = await openDatabase(config.dataDir);
  const repository = new ProcedureRepository(db);
  if (config.seedStarterCatalogue) await seedStarterCatalogue(repository, logger);
  await seedReceivingUnits(db);
  const calendar = new CalendarService(db);
  await calendar.seedIfEmpty();
  const procedures = new ProcedureService(repository);
  await procedures.refresh();

  const offline = !config.zalo.appSecret;
  if (offline) logger.warn("offline mode: no ZALO_APP_SECRET, development identities are enabled at /api/auth/dev");
  const sessions = new SessionService(db, resolveSessionSecret(config.sessionSecret, config.dataDir));
  const auth = new AuthService(db, sessions, new ZaloGraphClient(config.zalo.graphUrl, config.zalo.appSecret), {
    citizenSessionHours: config.citizenSessionHours,
    officialSessionHours: config.officialSessionHours,
    loginMaxFailures: config.loginMaxFailures,
    loginLockMinutes: config.loginLockMinutes,
    offline,
  });
  const portal: PortalGateway = new EmbeddedPortal(db, calendar);
  const dossiers = new DossierService(portal, procedures, new AttachmentStore(config.dataDir, config.maxUploadBytes));
  const deps: AppDeps = { config, db, logger, procedures, auth, dossiers, calendar };
  return { app: createApp(deps), deps, portal, close: () => db.destroy() };
}
