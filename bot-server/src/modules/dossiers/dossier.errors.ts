import type { FilingBreach } from "@qn/shared";
import { AppError, NotFoundError, ValidationError } from "../../errors/app-error";
import { lookupLimitedMessage } from "./lookup-limits";

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

export const lookupNotFound = () =>
  new NotFoundError("Không tìm thấy hồ sơ với mã này. Vui lòng kiểm tra lại mã trên giấy hẹn.");
export const lookupLimited = (minutes: number) => new AppError("LOOKUP_RATE_LIMITED", lookupLimitedMessage(minutes));
export const lookupSecretWrong = () =>
  new AppError(
    "LOOKUP_SECRET_WRONG",
    "Mã bảo mật không đúng. Vui lòng kiểm tra mã in cạnh mã QR trên giấy hẹn, hoặc bỏ trống để xem tình trạng hồ sơ.",
  );
