import { UpstreamError } from "../../errors/app-error";

/** A Zalo Open API call failed. `retryable` tells the outbox whether trying again later can help. */
export class ZaloApiError extends UpstreamError {
  constructor(
    readonly zaloCode: number | undefined,
    readonly httpStatus: number | undefined,
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super("ZALO_API_ERROR", message, 502);
  }
}

/** The citizen is outside the window in which the OA may send consultation messages (docs/zalo.md §1). */
export class ZaloWindowError extends ZaloApiError {
  constructor(zaloCode: number, message: string) {
    super(zaloCode, 200, message, false);
  }
}

/** The OA token could not be refreshed: an administrator must grant access again. */
export class ZaloTokenError extends ZaloApiError {
  constructor(message: string, retryable = false) {
    super(-216, undefined, message, retryable);
  }
}

/** Codes Zalo uses for "the user has not interacted recently" (uncertain: docs/zalo.md §1 lists -230, -213, -201). */
export const WINDOW_ERROR_CODES = new Set([-230, -213, -201]);
export const TOKEN_ERROR_CODE = -216;
