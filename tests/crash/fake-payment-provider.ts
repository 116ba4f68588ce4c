/**
 * A fake national payment platform as a process of its own, for the payment crash test (payment-two-process.test.ts):
 * the platform of tests/mocks/national-payment.ts (INIT, QUERY, the receipt, its signatures) served over plain HTTP on
 * 127.0.0.1:$PORT, so that it lives on while the bot server is killed. A few control routes stand for what happens on
 * the platform's side:
 *
 *   POST /_control/pay      {reference}        the citizen paid: QUERY now answers paid (TrangThaiGD "1")
 *   POST /_control/deliver  {reference, url}   the platform POSTs its signed confirm to `url` → {delivered, status}
 *   GET  /_control/requests                    what the platform was asked: [{operation, reference}]
 *
 * Started with `node --import tsx tests/crash/fake-payment-provider.ts`; answers /_control/requests once it listens.
 */
import http from "node:http";
import { fakeNationalPlatform } from "../mocks/national-payment";

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) throw new Error("PORT is required");
const base = `http://127.0.0.1:${port}`;
const platform = fakeNationalPlatform({ baseUrl: base });

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function control(path: string, body: Record<string, unknown>, res: http.ServerResponse): Promise<void> {
  const reference = String(body.reference ?? "");
  if (path === "/_control/requests") {
    json(
      res,
      200,
      platform.state.requests.map((r) => ({
        operation: r.operation,
        reference: (r.body as { MaThamChieu?: string } | null)?.MaThamChieu ?? null,
      })),
    );
  } else if (path === "/_control/pay") {
    const paid = platform.markPaid(reference);
    json(res, 200, { transactionId: paid.transactionId });
  } else if (path === "/_control/deliver") {
    try {
      const answer = await fetch(String(body.url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(platform.confirmFor(reference)),
        signal: AbortSignal.timeout(5_000),
      });
      json(res, 200, { delivered: true, status: answer.status, body: await answer.json().catch(() => null) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      json(res, 200, { delivered: false, error: cause?.code ?? String(error) });
    }
  } else {
    json(res, 404, { error: "no such control route" });
  }
}

const server = http.createServer((req, res) => {
  void (async () => {
    try {
      const body = await readBody(req);
      const url = new URL(req.url ?? "/", base);
      if (url.pathname.startsWith("/_control/")) {
        await control(
          url.pathname,
          body.length > 0 ? (JSON.parse(body.toString()) as Record<string, unknown>) : {},
          res,
        );
        return;
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string") headers.set(name, value);
      }
      const request = new Request(url, {
        method: req.method,
        headers,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : new Uint8Array(body),
      });
      const response = await platform.handle(request);
      if (!response) {
        json(res, 404, { MaLoi: "404", MoTaLoi: "Không có đường dẫn này" });
        return;
      }
      const out: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        out[name] = value;
      });
      res.writeHead(response.status, out);
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      json(res, 500, { error: String(error) });
    }
  })();
});
server.listen(port, "127.0.0.1");
