import type { RequestHandler } from "express";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Db } from "../../db/database";
import type { Logger } from "../../logger";
import { type DeliveryOutcome, type OutboxRow, RetryLater } from "../notifications/delivery";
import { backlogOf, portalForwardingLagSeconds, QUEUES } from "./queues";

/** What became of one delivery attempt of an outbox row, as the outbox worker records it. */
export type DeliveryResult = "sent" | "skipped" | "retry" | "failed";

/**
 * The Node.js process's own metrics (CPU, memory, event loop lag, GC), collected once per process: each
 * `collectDefaultMetrics` starts its own event-loop monitor, and tests start many servers in one process.
 */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The Prometheus metrics of one server (decision 0018), in a registry of its own. The queue gauges are read from the
 * database at each scrape, so every instance reports the same figures for the shared queues (take `max` across
 * instances, not `sum`); the counter and the histogram are this process's own (take `sum`).
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly depth = new Gauge({
    name: "qn_queue_depth",
    help: "Rows of a background queue due now (ready to be claimed, or claimed and their lease ran out).",
    labelNames: ["queue"] as const,
    registers: [this.registry],
  });
  private readonly age = new Gauge({
    name: "qn_queue_oldest_due_age_seconds",
    help: "How long the oldest due row of a background queue has waited since it became due (0: none due).",
    labelNames: ["queue"] as const,
    registers: [this.registry],
  });
  private readonly forwardingLag = new Gauge({
    name: "qn_portal_forwarding_lag_seconds",
    help: "Age of the oldest portal job not yet done (PORTAL_MODE=http; 0: none waiting).",
    registers: [this.registry],
  });
  private readonly deliveries = new Counter({
    name: "qn_notification_deliveries_total",
    help: "Outbox deliveries by outcome (sent, skipped, retry, failed) and channel (sent ones; else none).",
    labelNames: ["outcome", "channel"] as const,
    registers: [this.registry],
  });
  private readonly webhookAck = new Histogram({
    name: "qn_webhook_ack_seconds",
    help: "Time from receiving POST /webhooks/zalo to the end of its answer, by status code.",
    labelNames: ["status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {
    // Zero from the start, so that a rate over the first failure is not a gap.
    for (const outcome of ["skipped", "retry", "failed"] as const) this.deliveries.inc({ outcome, channel: "none" }, 0);
  }

  /** Counts one delivery attempt. */
  delivered(outcome: DeliveryResult, channel = "none"): void {
    this.deliveries.inc({ outcome, channel });
  }

  /**
   * The outbox worker's delivery, counted: each attempt's outcome as the worker records it (a retryable failure of
   * the last allowed attempt is `failed`, as the worker marks it). The delivery itself is unchanged.
   */
  countDeliveries<T extends { deliver(row: OutboxRow): Promise<DeliveryOutcome> }>(
    delivery: T,
    maxAttempts: number,
  ): T {
    const counted = Object.create(delivery) as T;
    counted.deliver = async (row: OutboxRow) => {
      try {
        const outcome = await delivery.deliver(row);
        this.delivered(outcome.status, outcome.status === "sent" ? outcome.channel : "none");
        return outcome;
      } catch (error) {
        this.delivered(error instanceof RetryLater && row.attempts < maxAttempts ? "retry" : "failed");
        throw error;
      }
    };
    return counted;
  }

  /** Times POST /webhooks/zalo from its arrival to the end of its answer; mount before the webhook's router. */
  readonly timeWebhookAck: RequestHandler = (req, res, next) => {
    if (req.method !== "POST") return next();
    const start = process.hrtime.bigint();
    res.once("finish", () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      this.webhookAck.observe({ status: String(res.statusCode) }, seconds);
    });
    next();
  };

  /** Reads the queues from the database (at each scrape), then writes every metric in Prometheus' text format. */
  async render(now: Date = new Date()): Promise<string> {
    await Promise.all([
      ...QUEUES.map(async (queue) => {
        try {
          const backlog = await backlogOf(this.db, queue, now);
          this.depth.set({ queue: queue.name }, backlog.depth);
          this.age.set({ queue: queue.name }, backlog.oldestDueAgeSeconds);
        } catch (error) {
          // An absent series, rather than a stale figure; /readyz says which table does not answer.
          this.depth.remove({ queue: queue.name });
          this.age.remove({ queue: queue.name });
          this.logger.warn({ err: error, queue: queue.name }, "metrics: queue not readable");
        }
      }),
      portalForwardingLagSeconds(this.db, now).then(
        (lag) => this.forwardingLag.set(lag),
        (error: unknown) => {
          this.forwardingLag.reset();
          this.logger.warn({ err: error }, "metrics: portal forwarding lag not readable");
        },
      ),
    ]);
    return `${await this.registry.metrics()}\n${await processMetrics().metrics()}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
