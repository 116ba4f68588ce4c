import { bootstrap } from "./bootstrap";
import { ConfigError, isLoopback, loadConfig } from "./config";
import { answerClientErrors } from "./http/client-errors";
import { createLogger } from "./logger";
import { shutDown } from "./modules/health/shutdown";

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const { app, deps, stop, close } = await bootstrap(config, logger);
  const server = app.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    // The address a browser on this computer opens: the loopback HOST itself, or localhost for a wildcard.
    const local = isLoopback(config.host) ? config.host.replace(/^::1$/, "[::1]") : "localhost";
    const base = `http://${local}:${port}`;
    logger.info({ host: config.host, port, dataDir: config.dataDir }, `Máy chủ đã sẵn sàng tại ${base}`);
    if (deps.postalSandbox) {
      // The test post calls back over HTTP like the real one, to this server's own callback route.
      const own = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
      deps.postalSandbox.setCallbackUrl(`http://${own.includes(":") ? `[${own}]` : own}:${port}/postal/callback`);
      logger.info(`Bưu điện thử nghiệm (không có bưu gửi thật): ${base}/post-sandbox/`);
    }
    if (config.offlineOnNetwork) {
      logger.warn(
        { host: config.host },
        `CẢNH BÁO: chế độ ngoại tuyến đang mở ra mạng (OFFLINE_ON_NETWORK=true, HOST=${config.host}): BẤT KỲ AI vào ` +
          "được máy chủ đều đăng nhập thử được như người dùng thử nào cũng được. Chỉ dùng cho buổi thử trên mạng tin cậy.",
      );
    }
    const token = deps.simulatorToken;
    if (token) {
      // Like Jupyter's token: the link is the simulator's session (the outbox and its signing secret need it).
      const outbox = `hộp thư ngoại tuyến: GET ${base}/api/dev/outbox, header X-Simulator-Token: ${token}`;
      logger.info(
        deps.webhook.development
          ? `Mô phỏng chat Zalo OA: ${base}/dev/chat#t=${token} (${outbox})`
          : `Chế độ ngoại tuyến, ${outbox}`,
      );
    }
  });
  answerClientErrors(server);
  // Graceful (decision 0018): /readyz 503 and no new background work at once; what is in flight is finished, then exit
  // 0. Bounded by SHUTDOWN_DELAY_SECONDS + SHUTDOWN_GRACE_SECONDS (exit 1); a second signal exits at once.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    const { shutdownDelayMs, shutdownGraceMs } = config.operations;
    logger.info({ signal, delayMs: shutdownDelayMs, graceMs: shutdownGraceMs }, "shutting down");
    setTimeout(() => {
      logger.error("shutdown: still busy when SHUTDOWN_GRACE_SECONDS ran out, exiting anyway");
      process.exit(1);
    }, shutdownDelayMs + shutdownGraceMs).unref();
    shutDown(server, { lifecycle: deps.lifecycle, stop, close }, shutdownDelayMs).then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((error) => {
  console.error("Không khởi động được máy chủ:", error);
  process.exit(1);
});
