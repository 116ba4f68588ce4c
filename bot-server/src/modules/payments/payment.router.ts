import {
  CheckoutOrderReport,
  DossierCode,
  ExemptionCheckRequest,
  FlagResolveRequest,
  LedgerQuery,
  type PaymentLine,
  ReceiptLink,
  RefundDoneRequest,
  StartPaymentRequest,
} from "@qn/shared";
import express, { type Request, Router } from "express";
import { z } from "zod";
import { AppError, NotFoundError, UnauthorizedError } from "../../errors/app-error";
import { addressKey, perMinuteLimit } from "../../http/rate-limit";
import type { SharedLimits } from "../../http/shared-limits";
import { parseOrThrow } from "../../http/validate";
import type { Logger } from "../../logger";
import { actorOf, requireOfficial } from "../auth/actor";
import type { PaymentLedger } from "./ledger";
import type { PaymentService } from "./payment.service";
import type { ReceiptLinks } from "./receipt-links";
import { renderReceiptPdf } from "./receipt-pdf";

const Reference = z.string().regex(/^TT\d{18}$/, "Mã thanh toán không hợp lệ");
const ReceiptNumber = z.string().regex(/^BL\d{4}-\d{7}$/, "Số biên lai không hợp lệ");

function pick(query: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((n) => query[n] !== undefined).map((n) => [n, query[n]]));
}

/** The payment API under /api: the citizen's side (pay, check, receipt) and the officials' (ledger, refunds, flags). */
export function paymentApiRouter(payments: PaymentService, ledger: PaymentLedger, links: ReceiptLinks): Router {
  const router = Router();
  const signedIn = (req: Request) => {
    const actor = actorOf(req);
    if (!actor) throw new UnauthorizedError("Vui lòng đăng nhập để tiếp tục.");
    return actor;
  };
  const codeOf = (raw: unknown) => parseOrThrow(DossierCode, raw, "Mã hồ sơ không hợp lệ", "code");
  const referenceOf = (raw: unknown) => parseOrThrow(Reference, raw, "Mã thanh toán không hợp lệ", "reference");

  router.get("/dossiers/:code/payments", async (req, res) => {
    res.json(await payments.overview(signedIn(req), codeOf(req.params.code)));
  });

  router.post("/dossiers/:code/payments", async (req, res) => {
    const body = parseOrThrow(StartPaymentRequest, req.body, "Yêu cầu thanh toán không hợp lệ");
    res.status(201).json(await payments.start(signedIn(req), codeOf(req.params.code), body.method, addressKey(req)));
  });

  router.post("/payments/:reference/order", async (req, res) => {
    const body = parseOrThrow(CheckoutOrderReport, req.body, "Mã đơn hàng không hợp lệ");
    res.json(await payments.reportOrder(signedIn(req), referenceOf(req.params.reference), body.orderId));
  });

  // Inside Checkout the citizen chose its custom method, the national platform (PAY_BY_CUSTOM_METHOD with the orderId).
  router.post("/payments/:reference/custom-method", async (req, res) => {
    const body = parseOrThrow(CheckoutOrderReport, req.body, "Mã đơn hàng không hợp lệ");
    res
      .status(201)
      .json(await payments.handOver(signedIn(req), referenceOf(req.params.reference), body.orderId, addressKey(req)));
  });

  router.post("/payments/:reference/check", async (req, res) => {
    res.json(await payments.check(signedIn(req), referenceOf(req.params.reference)));
  });

  router.get("/dossiers/:code/receipts/:number", async (req, res) => {
    const code = codeOf(req.params.code);
    const number = parseOrThrow(
      ReceiptNumber,
      String(req.params.number).replace(/\.pdf$/, ""),
      "Số biên lai không hợp lệ",
    );
    const data = await payments.receipt(signedIn(req), code, number);
    const pdf = await renderReceiptPdf(data);
    res.setHeader("Content-Type", "application/pdf");
    res.setHeader("Content-Disposition", `attachment; filename="bien-lai-${number}.pdf"`);
    res.setHeader("Cache-Control", "private, no-store");
    res.end(pdf);
  });

  // A short-lived link to the receipt, for Zalo's openDocument/downloadFile (which cannot send the session's header).
  router.post("/dossiers/:code/receipts/:number/link", async (req, res) => {
    const code = codeOf(req.params.code);
    const number = parseOrThrow(ReceiptNumber, req.params.number, "Số biên lai không hợp lệ", "number");
    await payments.receipt(signedIn(req), code, number);
    res.status(201).json(ReceiptLink.parse(links.issue(code, number)));
  });

  // ─── Officials ───
  const ledgerQuery = (req: Request) =>
    parseOrThrow(LedgerQuery, pick(req.query, ["day", "unit", "status", "method", "refundDue"]), "Bộ lọc không hợp lệ");

  router.get("/officials/payments", async (req, res) => {
    res.json(await ledger.entries(requireOfficial(req), ledgerQuery(req)));
  });

  router.get("/officials/payments/reconciliation.xlsx", async (req, res) => {
    const query = ledgerQuery(req);
    const book = await ledger.reconciliationXlsx(requireOfficial(req), query);
    res.setHeader("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    res.setHeader("Content-Disposition", `attachment; filename="doi-soat-${query.day ?? "hom-nay"}.xlsx"`);
    res.end(book);
  });

  router.get("/officials/payments/flags", async (req, res) => {
    const unit = parseOrThrow(
      z
        .string()
        .regex(/^\d{2,5}$/)
        .optional(),
      req.query.unit,
      "Đơn vị không hợp lệ",
      "unit",
    );
    res.json({ items: await ledger.flags(requireOfficial(req), unit) });
  });

  const idOf = (raw: unknown) => parseOrThrow(z.coerce.number().int().min(1), raw, "Mã không hợp lệ", "id");

  router.post("/officials/payments/flags/:id/resolve", async (req, res) => {
    const body = parseOrThrow(FlagResolveRequest, req.body, "Ghi chú không hợp lệ");
    await ledger.resolveFlag(requireOfficial(req), idOf(req.params.id), body.note);
    res.status(204).end();
  });

  router.post("/officials/payments/refunds/:id/done", async (req, res) => {
    const body = parseOrThrow(RefundDoneRequest, req.body, "Ghi chú không hợp lệ");
    await ledger.refundDone(requireOfficial(req), idOf(req.params.id), body.note);
    res.status(204).end();
  });

  router.post("/officials/dossiers/:code/exemption", async (req, res) => {
    const body = parseOrThrow(ExemptionCheckRequest, req.body, "Yêu cầu không hợp lệ");
    const official = requireOfficial(req);
    const code = codeOf(req.params.code);
    await ledger.checkExemption(official, code, body.accepted, body.note);
    res.json(await payments.overview(official, code));
  });

  return router;
}

/**
 * The providers' signed callbacks, outside /api: `POST /payments/<provider>/callback`, read raw (the signature covers
 * the bytes) before the JSON parser, and the sandbox's test page in offline mode. A bad signature answers 401 and
 * changes nothing; refused callbacks are limited per source like the webhook's.
 */
export function paymentCallbackRouter(
  payments: PaymentService,
  links: ReceiptLinks,
  logger: Logger,
  refusedPerMinute: number,
  counters: SharedLimits,
): Router {
  const router = Router();
  // The receipt a signed link opens (no session header: Zalo's document viewer fetches it).
  router.get("/receipts/:file", async (req, res) => {
    const number = String(req.params.file).replace(/\.pdf$/, "");
    const granted = ReceiptNumber.safeParse(number).success ? links.verify(number, req.query.t) : null;
    if (!granted) throw new NotFoundError("Liên kết biên lai không hợp lệ hoặc đã hết hạn. Vui lòng tải lại từ hồ sơ.");
    const pdf = await renderReceiptPdf(await payments.receiptByLink(granted.code, number));
    res.setHeader("Content-Type", "application/pdf");
    res.setHeader("Content-Disposition", `inline; filename="bien-lai-${number}.pdf"`);
    res.setHeader("Cache-Control", "private, no-store");
    res.end(pdf);
  });
  const limit = perMinuteLimit(counters, {
    name: "payment-callback-refused",
    perMinute: refusedPerMinute,
    key: (req) => addressKey(req),
    onlyRefused: true,
    message: "Quá nhiều yêu cầu bị từ chối từ nguồn này. Vui lòng thử lại sau một phút.",
  });
  const raw = express.raw({ type: () => true, limit: "256kb" });
  for (const method of ["zalo-checkout", "national"] as const) {
    if (!payments.provider(method)) continue;
    router.post(`/payments/${method}/callback`, limit, raw, async (req, res) => {
      const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      try {
        const answer = await payments.receiveCallback(method, body, req.headers);
        res.status(answer.status).json(answer.body);
      } catch (error) {
        if (error instanceof AppError)
          logger.warn({ provider: method, source: req.ip, code: error.code }, "payment callback refused");
        throw error;
      }
    });
  }
  const sandbox = payments.sandbox();
  if (sandbox) {
    router.get("/payments/sandbox/:reference", (req, res) => {
      const payment = sandbox.find(String(req.params.reference));
      if (!payment) throw new NotFoundError("Không tìm thấy giao dịch thử nghiệm này.");
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      res.setHeader("Cache-Control", "no-store");
      res.send(sandboxPage(payment.attempt, payment.outcome));
    });
    router.post(
      "/payments/sandbox/:reference/:choice",
      express.urlencoded({ extended: false, limit: "1kb" }),
      async (req, res) => {
        const reference = String(req.params.reference);
        const choice = parseOrThrow(
          z.enum(["success", "failure", "abandon"]),
          req.params.choice,
          "Lựa chọn không hợp lệ",
          "choice",
        );
        const payment = sandbox.find(reference);
        if (!payment) throw new NotFoundError("Không tìm thấy giao dịch thử nghiệm này.");
        if (choice !== "abandon") {
          const notice = sandbox.settle(reference, choice === "success" ? "paid" : "failed");
          // The same path as a provider's callback over HTTP: verified, then applied once.
          if (notice) await payments.receiveCallback("sandbox", notice.body, notice.headers);
        }
        const back = new URL(payment.attempt.returnUrl, "http://x");
        back.searchParams.set("ket-qua", choice);
        res.redirect(
          303,
          payment.attempt.returnUrl.startsWith("http") ? back.toString() : `${back.pathname}${back.search}`,
        );
      },
    );
  }
  return router;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

/** The sandbox's page: unmistakably a test, the amount and its lines, and the three outcomes. */
function sandboxPage(
  attempt: { reference: string; dossierCode: string; amount: number; lines: PaymentLine[]; returnUrl: string },
  outcome: "paid" | "failed" | null,
): string {
  const vnd = new Intl.NumberFormat("vi-VN");
  const lines = attempt.lines
    .map(
      (l) =>
        `<tr><td>${escapeHtml(l.name)}${l.quantity > 1 ? ` × ${l.quantity}` : ""}</td><td class="n">${vnd.format(l.amount)} đ</td></tr>`,
    )
    .join("");
  const ref = encodeURIComponent(attempt.reference);
  const done =
    outcome === null
      ? ""
      : `<p class="done">Giao dịch này đã ${outcome === "paid" ? "thành công" : "không thành công"}. <a href="${escapeHtml(attempt.returnUrl)}">Quay lại hồ sơ</a></p>`;
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cổng thanh toán thử nghiệm</title>
<style>body{font-family:system-ui,sans-serif;margin:0;background:#fff8e1;color:#222}main{max-width:28rem;margin:0 auto;padding:1rem}
.banner{background:#b71c1c;color:#fff;padding:.75rem 1rem;font-weight:700;text-align:center}table{width:100%;border-collapse:collapse;margin:.5rem 0}
td{padding:.4rem 0;border-bottom:1px solid #e0d6b0}.n{text-align:right;white-space:nowrap}.total td{font-weight:700;border:0}
form{margin:.5rem 0}button{width:100%;font-size:1.05rem;padding:.8rem;border-radius:.5rem;border:0;cursor:pointer}
.ok{background:#2e7d32;color:#fff}.ko{background:#c62828;color:#fff}.ab{background:#e0e0e0;color:#222}.done{background:#fff;padding:.75rem;border-radius:.5rem}</style></head>
<body><div class="banner" role="alert">THỬ NGHIỆM — KHÔNG THU TIỀN THẬT</div><main>
<h1 style="font-size:1.25rem">Cổng thanh toán thử nghiệm</h1>
<p>Trang này chỉ có khi máy chủ chạy ở chế độ ngoại tuyến (không có cấu hình Zalo). Không có tiền nào được chuyển.</p>
<p>Hồ sơ <strong>${escapeHtml(attempt.dossierCode)}</strong><br>Mã thanh toán ${escapeHtml(attempt.reference)}</p>
<table>${lines}<tr class="total"><td>Tổng cộng</td><td class="n">${vnd.format(attempt.amount)} đ</td></tr></table>
${done}
<form method="post" action="/payments/sandbox/${ref}/success"><button class="ok">Thanh toán thành công</button></form>
<form method="post" action="/payments/sandbox/${ref}/failure"><button class="ko">Thanh toán thất bại</button></form>
<form method="post" action="/payments/sandbox/${ref}/abandon"><button class="ab">Bỏ dở, quay lại</button></form>
</main></body></html>`;
}
