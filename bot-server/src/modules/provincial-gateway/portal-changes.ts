import { type DossierStateChange, fromPortalStateChange, PortalMappingError } from "@qn/shared";
import express, { type Router } from "express";
import { verifyPortalCallback } from "../../clients/provincial-portal/callback-signature";
import type { PortalClient } from "../../clients/provincial-portal/portal.client";
import type { Db } from "../../db/database";
import { AppError } from "../../errors/app-error";
import { sendError } from "../../errors/error-handler";
import type { Logger } from "../../logger";
import type { EmbeddedPortal } from "../records/embedded-portal";
import type { StepActor } from "../records/gateway";
import { decidePortalChange } from "../records/transitions";

const CURSOR_KEY = "portal.dossier-changes.cursor";

export type ApplyOutcome = "applied" | "unchanged" | "stale" | "duplicate" | "unknown-dossier";

/**
 * State changes from the provincial portal, by callback or from the change feed, applied to the local dossier once
 * per MaSuKien: the event id is recorded in the transaction that records the change (so a duplicate — the callback
 * retried, or the feed listing what a callback already brought — finds it and does nothing). The change is written by
 * the embedded portal's own path, so the step, the `dossier.state-changed` event and the citizen's notification are
 * those of embedded mode.
 */
export class PortalChanges {
  private polling: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly local: EmbeddedPortal,
    private readonly client: PortalClient,
    private readonly logger: Logger,
  ) {}

  stop(): void {
    this.stopped = true;
  }

  async idle(): Promise<void> {
    while (this.polling) await this.polling.catch(() => undefined);
  }

  async apply(change: DossierStateChange, source: "callback" | "feed"): Promise<ApplyOutcome> {
    const target = await this.db
      .selectFrom("dossiers")
      .select("code")
      .where((eb) =>
        eb.or([
          eb("portal_code", "=", change.code),
          ...(change.reference ? [eb.and([eb("code", "=", change.reference), eb("portal_code", "is", null)])] : []),
        ]),
      )
      .executeTakeFirst();
    // A dossier filed on the portal by another channel (the counter) is none of the bot server's business.
    if (!target) return "unknown-dossier";
    let outcome: ApplyOutcome = "duplicate";
    await this.local.applyExternal(target.code, actorOf(change), new Date(change.at), async (row, facts, trx) => {
      const newer = await trx
        .selectFrom("portal_events")
        .select("event_id")
        .where("dossier_code", "=", row.code)
        .where("applied", "=", 1)
        .where("at", ">", change.at)
        .executeTakeFirst();
      // A callback lost and found in the feed after a later one must not take the dossier back (transitions.ts).
      const decision = decidePortalChange(facts, change, !!newer);
      const transition = decision.outcome === "applied" ? decision.transition : null;
      const inserted = await trx
        .insertInto("portal_events")
        .values({
          event_id: change.eventId,
          dossier_code: row.code,
          source,
          applied: transition ? 1 : 0,
          at: change.at,
          received_at: new Date().toISOString(),
        })
        .onConflict((oc) => oc.column("event_id").doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return null; // seen before
      if (row.portal_code === null) {
        await trx.updateTable("dossiers").set({ portal_code: change.code }).where("id", "=", row.id).execute();
      }
      outcome = decision.outcome;
      return transition;
    });
    return outcome;
  }

  /**
   * Reads the change feed from the stored cursor to its end and applies what it lists. One read at a time; a failure
   * (portal down, a page off the contract) is logged and the next poll starts again from the last stored cursor.
   * Resolves to the number of changes applied.
   */
  poll(): Promise<number> {
    if (this.polling) return this.polling;
    this.polling = this.readFeed()
      .catch((error) => {
        this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, "portal change feed failed");
        return 0;
      })
      .finally(() => {
        this.polling = undefined;
      });
    return this.polling;
  }

  private async readFeed(): Promise<number> {
    let applied = 0;
    for (;;) {
      if (this.stopped) return applied;
      const stored = await this.db.selectFrom("meta").select("value").where("key", "=", CURSOR_KEY).executeTakeFirst();
      const page = await this.client.dossierChanges(stored?.value);
      for (const change of page.items) {
        if ((await this.apply(change, "feed")) === "applied") applied++;
      }
      await this.db
        .insertInto("meta")
        .values({ key: CURSOR_KEY, value: page.nextCursor })
        .onConflict((oc) => oc.column("key").doUpdateSet({ value: page.nextCursor }))
        .execute();
      if (!page.hasMore || page.items.length === 0) return applied;
    }
  }
}

/**
 * `POST /portal-callbacks`: the portal's signed state-change callback (docs/portal-api/openapi.json, webhook
 * `dossierStateChanged`). The signature is checked on the raw bytes before anything is parsed: missing, wrong or
 * stale → 401; a body off the contract → 400; received (also a duplicate or a dossier we do not know) → 204; the
 * change could not be recorded now → 503 (the portal retries). Mounted before the JSON parser.
 */
export function portalCallbackRouter(
  changes: PortalChanges,
  secret: string,
  logger: Logger,
  now: () => number = Date.now,
): Router {
  const router = express.Router();
  router.post("/portal-callbacks", express.raw({ type: () => true, limit: "64kb" }), async (req, res) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verdict = verifyPortalCallback({
      timestampHeader: req.get("x-portal-timestamp"),
      signatureHeader: req.get("x-portal-signature"),
      rawBody,
      secrets: secret,
      now: now(),
    });
    if (!verdict.ok) {
      logger.warn({ reason: verdict.reason }, "portal callback refused");
      sendError(res, new AppError("BAD_SIGNATURE", "Chữ ký callback không hợp lệ hoặc đã hết hạn."));
      return;
    }
    let change: DossierStateChange;
    try {
      change = fromPortalStateChange(JSON.parse(rawBody.toString("utf8")));
    } catch (error) {
      const issues = error instanceof PortalMappingError ? error.issues : [{ path: "", message: "not JSON" }];
      logger.warn({ issues }, "portal callback off contract");
      sendError(res, new AppError("VALIDATION_FAILED", "Nội dung callback không đúng hợp đồng."));
      return;
    }
    try {
      const outcome = await changes.apply(change, "callback");
      logger.info({ event: change.eventId, outcome }, "portal callback");
      res.status(204).end();
    } catch (error) {
      logger.error({ err: error, event: change.eventId }, "portal callback not recorded");
      sendError(res, new AppError("UNAVAILABLE", "Chưa ghi nhận được, vui lòng gửi lại sau."));
    }
  });
  return router;
}

function actorOf(change: DossierStateChange): StepActor {
  return change.actorName
    ? {
        kind: "official",
        id: null,
        name: change.actorName,
        role: "Cán bộ (Cổng dịch vụ công tỉnh)",
        unitCode: change.unitCode,
      }
    : { kind: "system", id: null, name: "Cổng dịch vụ công tỉnh", role: "Hệ thống", unitCode: change.unitCode };
}
