import type { FilingBreach } from "@qn/shared";
import { AppError, ValidationError } from "../../errors/app-error";

/** One bad field of a filing, named for the wizard. */
export function invalid(path: string, message: string): ValidationError {
  return new ValidationError(message, [{ path, message }]);
}

/** A filing that breaks a filing rule (shared/src/filing-rules.ts). */
export function filingRefused(breach: FilingBreach): AppError {
  return breach.rule === "not-online"
    ? new AppError("NOT_ONLINE", breach.message)
    : invalid(breach.path, breach.message);
}
