import type { ColumnType, Generated } from "kysely";

/** Kysely's view of the database. Column names are snake_case; JSON columns hold text. */
export interface Database {
  meta: MetaTable;
  procedures: ProceduresTable;
  procedure_revisions: ProcedureRevisionsTable;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface ProceduresTable {
  code: string;
  name: string;
  field: string;
  level: string;
  agency: string;
  online_level: number;
  processing_days: number | null;
  postal: number;
  /** The whole record as validated JSON (`Procedure` in shared/). */
  record: string;
  created_at: ColumnType<string, string, never>;
  updated_at: string;
}

/**
 * Each change of a procedure's online level or postal availability, so that indicators count a procedure by the
 * level it had during the reporting period (issue 6), not by today's value.
 */
export interface ProcedureRevisionsTable {
  id: Generated<number>;
  code: string;
  online_level: number;
  postal: number;
  valid_from: string;
}
