import { AppError } from "../../errors/app-error";

export class ProcedureNotFoundError extends AppError {
  constructor(code: string) {
    super("PROCEDURE_NOT_FOUND", `Không tìm thấy thủ tục có mã ${code}. Vui lòng kiểm tra lại mã thủ tục.`, 404);
  }
}

export type ImportProblem = { index: number | null; code?: string; field: string; message: string };

/** A catalogue file that cannot be imported. Nothing of it was written. */
export class CatalogueImportError extends AppError {
  constructor(readonly problems: ImportProblem[]) {
    super(
      "CATALOGUE_INVALID",
      `Tệp danh mục có ${problems.length} lỗi; không bản ghi nào được nhập.`,
      422,
      problems.map((p) => ({ path: p.index === null ? p.field : `[${p.index}].${p.field}`, message: p.message })),
    );
  }
}
