import type { FilingBreach } from "@qn/shared";
import { AppError } from "../../errors/app-error";

/** An error of /portal-api in the contract's shape: a stable code and a Vietnamese message. */
export class PortalApiError extends AppError {}

export type Issue = { path: string; message: string };
export const invalid = (message: string, details: Issue[] = []) =>
  new PortalApiError("VALIDATION_FAILED", message, undefined, details);
export const notFound = () => new PortalApiError("DOSSIER_NOT_FOUND", "Không tìm thấy hồ sơ");
export const notAvailable = (message: string) => new PortalApiError("PROCEDURE_NOT_AVAILABLE", message);
/** The filing rules (shared/src/filing-rules.ts) as this API words them to the forwarding system. */
export const PORTAL_API_BREACH_MESSAGES: Record<FilingBreach["rule"], string> = {
  "not-online": "Thủ tục này chưa nhận hồ sơ trực tuyến",
  "no-post-result": "Thủ tục này không trả kết quả qua bưu chính công ích",
  "no-post-pickup": "Thủ tục này không nhận hồ sơ qua bưu chính công ích",
  "no-online-result": "Thủ tục này chưa trả kết quả trực tuyến",
};
export const illegal = (message: string) => new PortalApiError("ILLEGAL_TRANSITION", message);
