import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger };

/**
 * The server's logger. Personal data never goes into logs: the paths below are redacted wherever they appear.
 * `destination`: where the lines go instead of stdout (tests read the access log this way).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: {
      paths: ["req.headers.authorization", "*.password", "*.accessToken", "*.identityNumber", "*.phone", "*.secret"],
      censor: "[đã ẩn]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
