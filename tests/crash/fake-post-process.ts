/**
 * A fake public postal service as a process of its own, for the postal crash test: the offline mode's SandboxPost
 * (bot-server/src/modules/postal/sandbox-post.ts: the contract of docs/postal-api/openapi.json, its signed callbacks)
 * served over plain HTTP on 127.0.0.1:$PORT, so that it can be killed (kill -9) and started again while the bot server
 * lives on. With STATE_FILE its orders survive that: a create answered before the kill is still there after it, and
 * its Idempotency-Key still gives it back.
 *
 * Environment: PORT (required), POSTAL_TOKEN (default "post-token-for-tests"), POSTAL_CALLBACK_SECRET (default
 * "post-callback-secret-for-tests"), CALLBACK_URL (where the signed callbacks go; none: no callbacks), STATE_FILE.
 *
 * Control routes, standing for what happens on the post's side (the postman):
 *
 *   GET  /_control/orders                      every order: [{waybill, orderNumber, reference, serviceType, status,
 *                                               statusCode, creates, events, callbacks: {sent, delivered}}] — `creates`
 *                                               is how many create requests were answered with that order
 *   GET  /_control/requests                    what the post was asked: [{operation, path, idempotencyKey, authorized}]
 *   POST /_control/advance      {waybill}      one step (created → picked up → in transit → delivered) → the order
 *   POST /_control/advance-all                 one step for every open order not waiting after a failure → [orders]
 *   POST /_control/fail         {waybill, note?}        the delivery failed
 *   POST /_control/deliver      {waybill, receivedBy?}  delivered (with any missing steps before it)
 *   POST /_control/return       {waybill}      returned to the sender
 *   POST /_control/down         {down}         answer 503 to every API request while true
 *
 * A route that moves orders answers once their callbacks were answered or gave up (5 s), so that a test reads a
 * settled state. A step the order's state does not allow answers 409 {error}. Started with
 * `node --import tsx tests/crash/fake-post-process.ts`; answers /_control/orders once it listens.
 */
import http from "node:http";
import { type SandboxOrder, SandboxPost, SandboxPostError } from "../../bot-server/src/modules/postal/sandbox-post";

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) throw new Error("PORT is required");

const post = new SandboxPost({
  token: process.env.POSTAL_TOKEN || "post-token-for-tests",
  callbackSecret: process.env.POSTAL_CALLBACK_SECRET || "post-callback-secret-for-tests",
  callbackUrl: process.env.CALLBACK_URL || null,
  stateFile: process.env.STATE_FILE || null,
});

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

function summary(order: SandboxOrder) {
  return {
    waybill: order.itemCode,
    orderNumber: order.orderNumber,
    reference: order.clientReference,
    serviceType: order.serviceType,
    status: order.status,
    statusCode: order.events.at(-1)?.StatusCode ?? null,
    creates: order.creates,
    events: order.events.length,
    callbacks: { sent: order.callbacks.length, delivered: order.callbacks.filter((c) => c.delivered).length },
  };
}

/** A step's orders, summed up once their callbacks settled (read again: the callbacks' outcome is on the orders). */
async function settled(orders: SandboxOrder[]) {
  await post.flush();
  return orders.map((o) => summary(post.order(o.itemCode) ?? o));
}

async function control(method: string, path: string, body: Record<string, unknown>, res: http.ServerResponse) {
  const waybill = String(body.waybill ?? "");
  const text = (name: string) => (typeof body[name] === "string" ? (body[name] as string) : null);
  const route = `${method} ${path}`;
  try {
    if (route === "GET /_control/orders") {
      json(res, 200, post.list().map(summary));
    } else if (route === "GET /_control/requests") {
      json(
        res,
        200,
        post.requests.map((r) => ({
          operation: r.operation,
          path: r.path,
          idempotencyKey: r.idempotencyKey,
          authorized: r.authorized,
        })),
      );
    } else if (route === "POST /_control/advance") {
      json(res, 200, (await settled([post.advance(waybill)]))[0]);
    } else if (route === "POST /_control/advance-all") {
      json(res, 200, await settled(post.tick()));
    } else if (route === "POST /_control/fail") {
      json(res, 200, (await settled([post.fail(waybill, text("note"))]))[0]);
    } else if (route === "POST /_control/deliver") {
      json(res, 200, (await settled([post.deliver(waybill, text("receivedBy"))]))[0]);
    } else if (route === "POST /_control/return") {
      json(res, 200, (await settled([post.returnToSender(waybill, text("note"))]))[0]);
    } else if (route === "POST /_control/down") {
      post.down(body.down === true);
      json(res, 200, { down: body.down === true });
    } else {
      json(res, 404, { error: "no such control route" });
    }
  } catch (error) {
    if (!(error instanceof SandboxPostError)) throw error;
    json(res, 409, { error: error.message });
  }
}

const server = http.createServer((req, res) => {
  void (async () => {
    try {
      const body = await readBody(req);
      const path = req.url ?? "/";
      const pathname = new URL(path, "http://127.0.0.1").pathname;
      if (pathname.startsWith("/_control/")) {
        const parsed = body.length > 0 ? (JSON.parse(body.toString("utf8")) as Record<string, unknown>) : {};
        await control(req.method ?? "GET", pathname, parsed ?? {}, res);
        return;
      }
      const answer = await post.handle({ method: req.method ?? "GET", path, headers: req.headers, body });
      json(res, answer.status, answer.body);
    } catch (error) {
      json(res, 500, { error: String(error) });
    }
  })();
});

process.on("SIGTERM", () => {
  server.close();
  void post.close().then(() => process.exit(0));
});

server.listen(port, "127.0.0.1");
