import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { importCatalogue } from "./catalogue-import";
import type { ProcedureRepository } from "./procedure.repository";

/** The catalogue shipped with the project: one JSON file per group of fields, researched from public sources. */
export const STARTER_CATALOGUE_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../catalogue/starter",
);

export function loadStarterCatalogue(dir: string = STARTER_CATALOGUE_DIR): { records: unknown[]; hash: string } {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  const hash = createHash("sha256");
  const records: unknown[] = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    hash.update(file).update(text);
    records.push(...(JSON.parse(text) as unknown[]));
  }
  return { records, hash: hash.digest("hex") };
}

/**
 * Imports the starter catalogue when it differs from the one imported last time (upsert by code: procedures added by
 * an administrator's own imports are kept).
 */
export async function seedStarterCatalogue(repository: ProcedureRepository, logger: Logger): Promise<void> {
  const { records, hash } = loadStarterCatalogue();
  if ((await repository.getMeta("starter_catalogue_hash")) === hash) return;
  const outcome = await importCatalogue(repository, records, { starter_catalogue_hash: hash });
  logger.info(outcome, "starter catalogue imported");
}
