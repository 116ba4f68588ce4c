export { createApp } from "./app";
export type { AppDeps } from "./app-deps";
export { bootstrap } from "./bootstrap";
export { type Config, ConfigError, loadConfig } from "./config";
export { openDatabase } from "./db/database";
export { createLogger } from "./logger";
export { ProcedureRepository } from "./modules/procedures/procedure.repository";
export { ProcedureService } from "./modules/procedures/procedure.service";
export { ProcedureSearchIndex } from "./modules/procedures/search/search-index";
