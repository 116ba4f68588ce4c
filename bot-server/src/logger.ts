import { type Logger, pino } from "pino";

export type { Logger };

/**
 * The server's logger. Personal data never goes into logs: the paths below are redacted wherever they appear.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ["req.headers.authorization", "*.password", "*.accessToken", "*.identityNumber", "*.phone", "*.secret"],
      censor: "[đã ẩn]",
    },
  });
}
