import { UpstreamError } from "../../errors/app-error";

/**
 * Failures of the provincial portal, as the rest of the server sees them. `retryable` tells the outbox whether sending
 * the same request later can help; messages are Vietnamese because one may reach a citizen through the error handler.
 */
export abstract class PortalError extends UpstreamError {
  abstract readonly retryable: boolean;
}

export type UnavailableReason = "timeout" | "network" | "server-error" | "rate-limited" | "circuit-open";

/** The portal did not answer usefully: timeout, connection failure, 5xx, 429, or the circuit breaker is open. */
export class PortalUnavailableError extends PortalError {
  readonly retryable = true;
  constructor(
    readonly reason: UnavailableReason,
    readonly detail: string,
    readonly httpStatus?: number,
    /** From Retry-After, when the portal said when to come back. */
    readonly retryAfterMs?: number,
  ) {
    super(
      "PORTAL_UNAVAILABLE",
      "Cổng dịch vụ công của tỉnh tạm thời chưa phản hồi. Hồ sơ của bạn vẫn được lưu và sẽ được chuyển khi cổng hoạt động trở lại.",
      503,
    );
  }
}

/** The portal answered and refused the request (4xx), with its own code and message. */
export class PortalRejectedError extends PortalError {
  readonly retryable = false;
  constructor(
    readonly httpStatus: number,
    readonly portalCode: string,
    readonly portalMessage: string,
    readonly portalDetails: { path: string; message: string }[] = [],
  ) {
    super("PORTAL_REJECTED", `Cổng dịch vụ công từ chối yêu cầu: ${portalMessage}`, 502);
  }
}

/** The portal answered something that does not follow the contract (wrong shape, impossible date, not JSON). */
export class PortalProtocolError extends PortalError {
  readonly retryable = false;
  constructor(
    readonly operation: string,
    readonly httpStatus: number | undefined,
    readonly issues: { path: string; message: string }[],
  ) {
    super("PORTAL_PROTOCOL_ERROR", "Cổng dịch vụ công trả lời không đúng định dạng. Vui lòng thử lại sau.", 502);
  }
}
