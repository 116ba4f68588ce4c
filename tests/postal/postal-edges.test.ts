import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postCallbackHeaders } from "../../bot-server/src/clients/postal/postal-wire";
import { call, citizen, file, official, procedure, requiredFiles, submission, view } from "../helpers/api";
import { png } from "../helpers/files";
import type { TestServer } from "../helpers/test-server";
import { type FakePost, fakePost, POST_CALLBACK_SECRET } from "../mocks/post";
import { mockServer } from "../mocks/server";
import {
  COMMUNE,
  completed,
  due,
  filePostal,
  newCitizen,
  POSTAL_PROCEDURE,
  postalOf,
  RECEIVER,
  settle,
  startFakePostServer,
} from "./helpers";

/**
 * The postal service at its edges, each case one a review of the first version found wrong: statuses out of order
 * around a failure, the post refusing an instruction, a result handed over by hand while the post carries it, a
 * returned result dispatched again, who may redirect a result, a new address while the post is already going round
 * again, and the backlog after an outage. The post is the msw fake (tests/mocks/post.ts).
 */

let fake: FakePost;
let server: TestServer;
beforeAll(async () => {
  fake = fakePost({ callbackUrl: null });
  mockServer.use(...fake.handlers);
  server = await startFakePostServer(fake);
});
beforeEach(() => {
  mockServer.use(...fake.handlers);
  fake.post.down(false);
});
afterEach(async () => {
  await fake.post.flush();
});
afterAll(async () => {
  await fake.post.close();
  await server.close();
});

async function callback(waybill: string, fields: Record<string, unknown>) {
  const order = fake.post.order(waybill);
  const body = Buffer.from(
    JSON.stringify({
      EventId: `E-${Math.random().toString(36).slice(2)}`,
      ItemCode: waybill,
      OrderNumber: order?.orderNumber,
      ClientReference: order?.clientReference,
      Note: null,
      ReceiverName: null,
      ProofUrl: null,
      ...fields,
    }),
  );
  const res = await fetch(`${server.url}/postal/callback`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...postCallbackHeaders(POST_CALLBACK_SECRET, body, Date.now()) },
    body,
  });
  return ((await res.json()) as { result: string }).result;
}

/** A dossier whose result the post carries, with its waybill, the citizen and the unit's officer. */
async function dispatched() {
  const token = await newCitizen(server);
  const dossier = await filePostal(server, token);
  const hcc = await completed(server, dossier.code);
  const res = await call(server, "POST", "/api/officials/postal/dispatch", {
    token: hcc.token,
    json: { codes: [dossier.code] },
  });
  expect(res.body[0].outcome, JSON.stringify(res.body)).toBe("created");
  await settle(server, fake.post);
  const waybill = fake.post.withOrderNumber(dossier.code)[0]?.itemCode as string;
  return { token, code: dossier.code, hcc, waybill };
}

const minute = (n: number) => new Date(Date.now() + n * 60_000).toISOString();

describe("statuses around a failure", () => {
  it("when the second failure arrives before the second round's 'in transit', then the order is failed and the citizen chooses again", async () => {
    const { token, code, waybill } = await dispatched();
    expect(await callback(waybill, { StatusCode: "300", Time: minute(1) })).toBe("applied");
    expect(await callback(waybill, { StatusCode: "550", Time: minute(2), Note: "Vắng nhà" })).toBe("applied");
    const first = (await postalOf(server, token, code)).orders[0];
    const chosen = await call(server, "POST", `/api/dossiers/${code}/postal/orders/${first?.reference}/choice`, {
      token,
      json: { choice: "redeliver" },
    });
    expect(chosen.status).toBe(200);
    // The second round: failed at +4 arrives before its in transit at +3.
    expect(await callback(waybill, { StatusCode: "550", Time: minute(4), Note: "Vắng nhà lần 2" })).toBe("applied");
    expect(await callback(waybill, { StatusCode: "300", Time: minute(3) })).toBe("stale");
    const order = (await postalOf(server, token, code)).orders[0];
    expect(order).toMatchObject({
      status: "failed",
      choices: ["redeliver", "change-address", "counter"],
      chosen: null,
    });
    expect(order?.events.filter((e) => e.status === "failed").map((e) => e.note)).toEqual([
      "Vắng nhà",
      "Vắng nhà lần 2",
    ]);
  });

  it("when the post could not pick up the papers and comes back another day, then the pick-up is done", async () => {
    const token = await newCitizen(server);
    const code = (await filePostal(server, token, { pickup: true, resultByPost: false })).code;
    await settle(server, fake.post);
    const waybill = fake.post.withOrderNumber(code)[0]?.itemCode as string;
    expect(await callback(waybill, { StatusCode: "550", Time: minute(1), Note: "Không gặp người giao" })).toBe(
      "applied",
    );
    expect(await callback(waybill, { StatusCode: "200", Time: minute(60) })).toBe("applied");
    expect((await postalOf(server, token, code)).orders[0]?.status).toBe("picked-up");
  });
});

describe("the post refusing what it is told", () => {
  it("when a cancellation comes too late for the post, then the order is still followed and its delivery moves the dossier", async () => {
    const { token, code, hcc, waybill } = await dispatched();
    fake.post.setCallbackUrl(null); // the post picks it up and says nothing: only polling will tell
    try {
      fake.post.advance(waybill);
      const cancel = await call(
        server,
        "POST",
        `/api/officials/postal/orders/${fake.post.order(waybill)?.clientReference}/cancel`,
        {
          token: hcc.token,
        },
      );
      expect(cancel.status).toBe(200);
      await settle(server, fake.post);
      const order = (await postalOf(server, token, code)).orders[0];
      // Refused (already picked up): not cancelled here either, and no instruction left to repeat.
      expect(order?.status).toBe("picked-up");
      const row = await server.deps.db
        .selectFrom("postal_orders")
        .select(["instruction", "next_attempt_at"])
        .where("waybill", "=", waybill)
        .executeTakeFirstOrThrow();
      expect(row.instruction).toBeNull();
      expect(row.next_attempt_at).not.toBeNull();
      fake.post.advance(waybill);
      fake.post.deliver(waybill, "Nguyễn Văn An");
      await due(server);
      await settle(server, fake.post);
    } finally {
      fake.post.setCallbackUrl(`${server.url}/postal/callback`);
    }
    expect((await postalOf(server, token, code)).orders[0]?.status).toBe("delivered");
    expect(view(await call(server, "GET", `/api/dossiers/${code}`, { token })).state).toBe(10);
  });
});

describe("a result handed over by hand", () => {
  it("when the post carries the result, then an official cannot mark it delivered by hand; before the post took it, doing so cancels the order", async () => {
    const { code, hcc, waybill } = await dispatched();
    fake.post.advance(waybill);
    await settle(server, fake.post);
    const refused = await call(server, "POST", `/api/officials/dossiers/${code}/actions`, {
      token: hcc.token,
      json: { action: "deliver", trackingNumber: waybill },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "POSTAL_NOT_ALLOWED", message: expect.stringContaining(waybill) });

    // Another one, still only created at the post: handed over at the counter, the post's order is cancelled.
    const other = await dispatched();
    const handed = await call(server, "POST", `/api/officials/dossiers/${other.code}/actions`, {
      token: other.hcc.token,
      json: { action: "deliver" },
    });
    expect(view(handed).state).toBe(10);
    await settle(server, fake.post);
    expect(fake.post.order(other.waybill)?.status).toBe("cancelled");
  });
});

describe("dispatching again", () => {
  it("when a result came back and the citizen has not chosen, or the post already delivered it, then a dispatch is refused", async () => {
    const { code, hcc, waybill } = await dispatched();
    fake.post.advance(waybill);
    fake.post.returnToSender(waybill, "Không liên lạc được");
    await settle(server, fake.post);
    const again = await call(server, "POST", "/api/officials/postal/dispatch", {
      token: hcc.token,
      json: { codes: [code] },
    });
    expect(again.body[0]).toMatchObject({ outcome: "refused", message: expect.stringContaining("chuyển hoàn") });
    expect(fake.post.withOrderNumber(code)).toHaveLength(1);
  });

  it("when an administrator or an officer of another unit dispatches, then it is refused", async () => {
    const token = await newCitizen(server);
    const code = (await filePostal(server, token)).code;
    await completed(server, code);
    const admin = await official(server, "admin", "22");
    expect(
      (await call(server, "POST", "/api/officials/postal/dispatch", { token: admin.token, json: { codes: [code] } }))
        .status,
    ).toBe(403);
    const province = await official(server, "official", "22");
    const res = await call(server, "POST", "/api/officials/postal/dispatch", {
      token: province.token,
      json: { codes: [code] },
    });
    expect(res.body[0].outcome).toBe("refused");
  });
});

describe("who may redirect a result", () => {
  it("when a volunteer who filed a dossier asks for its result by post, then 403; the unit's officer may", async () => {
    const volunteer = await official(server, "volunteer", COMMUNE);
    const p = await procedure(server, POSTAL_PROCEDURE);
    const filed = await file(
      server,
      volunteer.token,
      submission({ onBehalf: { method: "in-person" }, resultDelivery: { method: "counter" } }),
      requiredFiles(p, png),
    );
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const code = filed.body.code as string;
    const asked = await call(server, "POST", `/api/dossiers/${code}/postal/delivery`, {
      token: volunteer.token,
      json: RECEIVER,
    });
    expect(asked.status).toBe(403);
    const hcc = await official(server, "hcc", COMMUNE);
    const byOfficer = await call(server, "POST", `/api/dossiers/${code}/postal/delivery`, {
      token: hcc.token,
      json: RECEIVER,
    });
    expect(byOfficer.status, JSON.stringify(byOfficer.body)).toBe(200);
    const stranger = await citizen(server, `stranger-${Date.now()}`);
    expect(
      (await call(server, "POST", `/api/dossiers/${code}/postal/delivery`, { token: stranger, json: RECEIVER })).status,
    ).toBe(404);
  });
});

describe("a new address while the post goes round again", () => {
  it("when the citizen gives another address but the post is already carrying it out again, then the address is kept and sent after the next failure", async () => {
    const { token, code, waybill } = await dispatched();
    fake.post.advance(waybill);
    fake.post.advance(waybill);
    fake.post.fail(waybill, "Vắng nhà");
    await settle(server, fake.post);
    const reference = (await postalOf(server, token, code)).orders[0]?.reference;
    fake.post.down(true); // the choice cannot go out at once…
    const receiver = { name: "Trần Thị Bình", phone: "0987654321", address: { communeCode: "06685", street: "Số 9" } };
    const res = await call(server, "POST", `/api/dossiers/${code}/postal/orders/${reference}/choice`, {
      token,
      json: { choice: "change-address", receiver },
    });
    expect(res.status).toBe(200);
    await settle(server, fake.post);
    fake.post.down(false);
    // …and meanwhile the post goes out again on its own, to the old address.
    expect(await callback(waybill, { StatusCode: "300", Time: minute(5) })).toBe("applied");
    await due(server);
    await settle(server, fake.post);
    const kept = await server.deps.db
      .selectFrom("postal_orders")
      .select(["instruction", "last_error"])
      .where("reference", "=", reference as string)
      .executeTakeFirstOrThrow();
    expect(kept.instruction).toContain("Trần Thị Bình");
    expect(kept.last_error).toContain("địa chỉ mới");
    const redelivers = () => fake.post.requests.filter((r) => r.operation === "redeliver" && r.path.includes(waybill));
    const before = redelivers().length; // the one refused while the post was down, if it got that far
    // It fails again: now the new address goes to the post, once.
    expect(await callback(waybill, { StatusCode: "550", Time: minute(6), Note: "Vắng nhà lần 2" })).toBe("applied");
    await due(server);
    await settle(server, fake.post);
    expect(redelivers()).toHaveLength(before + 1);
    expect(JSON.stringify(redelivers().at(-1)?.body)).toContain("Trần Thị Bình");
    const after = await server.deps.db
      .selectFrom("postal_orders")
      .select(["instruction"])
      .where("reference", "=", reference as string)
      .executeTakeFirstOrThrow();
    expect(after.instruction).toBeNull();
  });
});

describe("after an outage", () => {
  it("when the post answers again, then the orders that waited go out without waiting for their backoff", async () => {
    const codes: string[] = [];
    const hcc = await official(server, "hcc", COMMUNE);
    for (let i = 0; i < 3; i++) {
      const token = await newCitizen(server);
      const code = (await filePostal(server, token)).code;
      await completed(server, code);
      codes.push(code);
    }
    fake.post.down(true);
    await call(server, "POST", "/api/officials/postal/dispatch", { token: hcc.token, json: { codes } });
    await settle(server, fake.post);
    fake.post.down(false);
    // Only the first is due again (its backoff over); the others would wait for theirs.
    await server.deps.db
      .updateTable("postal_orders")
      .set({ next_attempt_at: new Date(Date.now() + 3_600_000).toISOString() })
      .where("dossier_code", "in", codes)
      .execute();
    await server.deps.db
      .updateTable("postal_orders")
      .set({ next_attempt_at: new Date(Date.now() - 1000).toISOString() })
      .where("dossier_code", "=", codes[0] as string)
      .execute();
    await settle(server, fake.post);
    for (const code of codes) expect(fake.post.withOrderNumber(code)).toHaveLength(1);
  });
});
