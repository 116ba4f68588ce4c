import fs from "node:fs";
import { type CatalogueImportReport, describeIssue, MAX_REPORTED_PROBLEMS, Procedure } from "@qn/shared";
import { CatalogueImportError, type ImportProblem } from "./procedure.errors";
import type { ProcedureRepository, UpsertOutcome } from "./procedure.repository";

/**
 * Validates a catalogue (a JSON array of procedures) as a whole: every bad record is reported with its index and
 * field, duplicate codes included, and nothing is returned unless everything is valid.
 */
export function validateCatalogue(input: unknown): Procedure[] {
  if (!Array.isArray(input)) {
    throw new CatalogueImportError([
      { index: null, field: "(tệp)", message: "Tệp danh mục phải là một mảng JSON các thủ tục." },
    ]);
  }
  const problems: ImportProblem[] = [];
  const records: Procedure[] = [];
  const firstIndexOfCode = new Map<string, number>();
  input.forEach((raw, index) => {
    const parsed = Procedure.safeParse(raw);
    const code = typeof raw === "object" && raw !== null && "code" in raw ? String(raw.code) : undefined;
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push({
          index,
          ...(code ? { code } : {}),
          field: issue.path.length > 0 ? issue.path.join(".") : "(bản ghi)",
          message: describeIssue(issue),
        });
      }
      return;
    }
    const first = firstIndexOfCode.get(parsed.data.code);
    if (first !== undefined) {
      problems.push({
        index,
        code: parsed.data.code,
        field: "code",
        message: `Mã ${parsed.data.code} trùng với bản ghi số ${first}.`,
      });
      return;
    }
    firstIndexOfCode.set(parsed.data.code, index);
    records.push(parsed.data);
  });
  if (problems.length > 0) throw new CatalogueImportError(problems);
  return records;
}

/** Reads and parses a catalogue file; a file that is not JSON is reported like any other invalid catalogue. */
export function readCatalogueFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "không tồn tại" : "không đọc được";
    throw new CatalogueImportError([{ index: null, field: "(tệp)", message: `Tệp ${file} ${reason}.` }]);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CatalogueImportError([
      { index: null, field: "(tệp)", message: `Tệp không phải JSON hợp lệ: ${(error as Error).message}` },
    ]);
  }
}

export async function importCatalogue(
  repository: ProcedureRepository,
  input: unknown,
  meta: Record<string, string> = {},
): Promise<UpsertOutcome & { total: number }> {
  const records = validateCatalogue(input);
  const outcome = await repository.upsertAll(records, meta);
  return { ...outcome, total: records.length };
}

/**
 * An import from the administrators' console: the same validation and upsert as the CLI, answered with a report
 * instead of an exception. Invalid records are listed (index, code, field, message) and nothing is written; `dryRun`
 * validates and counts what an import would insert, update or leave unchanged, without writing.
 */
export async function importCatalogueWithReport(
  repository: ProcedureRepository,
  input: unknown[],
  options: { dryRun: boolean; meta?: Record<string, string> },
): Promise<CatalogueImportReport> {
  const base = { dryRun: options.dryRun, total: input.length };
  let records: Procedure[];
  try {
    records = validateCatalogue(input);
  } catch (error) {
    if (!(error instanceof CatalogueImportError)) throw error;
    return {
      ...base,
      valid: false,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      errorCount: error.problems.length,
      errors: error.problems.slice(0, MAX_REPORTED_PROBLEMS).map((p) => ({
        index: p.index,
        code: p.code ?? null,
        field: p.field,
        message: p.message,
      })),
    };
  }
  const outcome = options.dryRun
    ? await repository.preview(records)
    : await repository.upsertAll(records, options.meta ?? {});
  return { ...base, valid: true, ...outcome, errorCount: 0, errors: [] };
}
