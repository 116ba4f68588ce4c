import { type AppDeps, createApp } from "./app";
import type { Config } from "./config";
import { type Db, openDatabase } from "./db/database";
import { createLogger, type Logger } from "./logger";
import { ProcedureRepository } from "./modules/procedures/procedure.repository";
import { ProcedureService } from "./modules/procedures/procedure.service";
import { seedStarterCatalogue } from "./modules/procedures/starter-catalogue";

/** Opens the database, migrates, seeds the starter catalogue and wires the services: everything `createApp` needs. */
export async function bootstrap(config: Config, logger: Logger = createLogger(config.logLevel)) {
  const db: Db = await openDatabase(config.dataDir);
  const repository = new ProcedureRepository(db);
  if (config.seedStarterCatalogue) await seedStarterCatalogue(repository, logger);
  const procedures = new ProcedureService(repository);
  await procedures.refresh();
  const deps: AppDeps = { config, db, logger, procedures };
  return { app: createApp(deps), deps, close: () => db.destroy() };
}
