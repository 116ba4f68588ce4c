import { createHash } from "node:crypto";
import { createLogger } from "@qn/bot-server";
import type { DossierForwarding } from "@qn/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AttachmentUpload, PortalClient } from "../../bot-server/src/clients/provincial-portal/portal.client";
import { portalApiDb } from "../../bot-server/src/modules/portal-api/tables";
import { call, official } from "../helpers/api";
import { refuseWrites } from "../helpers/db-faults";
import { pdf, png } from "../helpers/files";
import { startS3, type TestS3 } from "../helpers/s3";
import { type ServerOverrides, startTestServer, type TestServer } from "../helpers/test-server";

/**
 * The two /portal-api races issue 16 names, on both file stores (decision 0019):
 * 1. a file two uploads share must not be removed because one of them failed: the failure path never deletes what it
 *    put (the same content may be another upload's, in flight or committed); only the orphan sweeper does, from the
 *    rows, after its grace period;
 * 2. the supplement uploads are marked used in the supplement's own transaction: before, they were marked after it
 *    committed, so a failure between left a supplemented dossier whose files were still "unused", to be named again.
 */
const CLIENT_ID = "races-bot-server";
const CLIENT_SECRET = "client-secret-for-the-race-tests";
const HOUR = 60 * 60 * 1000;

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(() => s3.close());

let references = 0;
function forwarding(): DossierForwarding {
  const reference = `ref-race-${++references}`;
  return {
    reference,
    procedureCode: "1.001193",
    unitCode: "06652",
    channel: "online",
    submittedAt: new Date(Date.now() - 60_000).toISOString(),
    applicant: {
      type: "citizen",
      name: "Trần Thị Mai",
      identityNumber: "022090004321",
      phone: "0912345679",
      address: { communeCode: "06652", street: "Số 7, tổ 2, khu 1" },
    },
    resultDelivery: { method: "counter" },
    formData: { tenTre: "Trần Minh Quân", ngaySinh: "2026-11-21" },
    filedBy: null,
  };
}

function upload(content: Buffer, overrides: Partial<AttachmentUpload> = {}): AttachmentUpload {
  return {
    documentName: "Giấy chứng sinh",
    documentIndex: 0,
    kind: "initial",
    sha256: createHash("sha256").update(content).digest("hex"),
    fileName: "giay-chung-sinh.png",
    mime: "image/png",
    content,
    ...overrides,
  };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

const STORES: { name: string; overrides: () => ServerOverrides }[] = [
  { name: "local disk", overrides: () => ({}) },
  { name: "S3", overrides: () => ({ fileStore: s3.settings() }) as ServerOverrides },
];

describe.each(STORES)("the /portal-api races, files on $name", ({ overrides }) => {
  let server: TestServer;
  let client: PortalClient;
  let officialToken: string;

  beforeAll(async () => {
    server = await startTestServer({
      ...overrides(),
      portalApi: { clients: { [CLIENT_ID]: CLIENT_SECRET }, callbackUrl: undefined, callbackSecret: undefined },
    });
    client = new PortalClient(
      { baseUrl: `${server.url}/portal-api`, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, maxAttempts: 1 },
      createLogger("silent"),
    );
    officialToken = (await official(server, "official", "06652")).token;
  });
  afterAll(() => server.close());

  async function dossierId(code: string): Promise<number> {
    const row = await server.deps.db.selectFrom("dossiers").select("id").where("code", "=", code).executeTakeFirst();
    return row?.id as number;
  }
  async function seen(code: string) {
    const res = await call(server, "GET", `/api/officials/dossiers/${code}`, { token: officialToken });
    expect(res.status).toBe(200);
    return res.body as { state: number; attachments: { id: number; kind: string }[] };
  }
  async function download(code: string, id: number): Promise<Buffer> {
    const res = await fetch(`${server.url}/api/dossiers/${code}/attachments/${id}`, {
      headers: { authorization: `Bearer ${officialToken}` },
    });
    expect(res.status).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  }
  async function act(code: string, body: Record<string, unknown>) {
    const res = await call(server, "POST", `/api/officials/dossiers/${code}/actions`, {
      token: officialToken,
      json: body,
    });
    expect(res.status).toBe(200);
  }

  it("race 1: when one of two uploads of the same file fails, then the other's file stays, downloadable, and is never swept", async () => {
    const content = png(3000 + references);
    const other = png(3500 + references);
    const kept = await client.createDossier(forwarding(), `dossier:${references}`);
    const failed = await client.createDossier(forwarding(), `dossier:${references}`);
    const unrefuse = await refuseWrites(server.deps.db, {
      name: "qn_test_refuse_upload",
      table: "portal_api_uploads",
      event: "INSERT",
      column: "dossier_id",
      value: await dossierId(failed.dossier.code),
    });
    try {
      // The one that commits first, then the one that fails (it put the same bytes, then its rows were refused);
      // then both at once.
      expect((await client.uploadAttachment(kept.dossier.code, upload(content))).size).toBe(content.length);
      expect(await failure(client.uploadAttachment(failed.dossier.code, upload(content)))).toBeInstanceOf(Error);
      const [ok, ko] = await Promise.allSettled([
        client.uploadAttachment(kept.dossier.code, upload(other, { documentIndex: 1, documentName: "Giấy tờ khác" })),
        client.uploadAttachment(failed.dossier.code, upload(other, { documentIndex: 1, documentName: "Giấy tờ khác" })),
      ]);
      expect([ok.status, ko.status]).toEqual(["fulfilled", "rejected"]);
    } finally {
      await unrefuse();
    }
    const attachments = (await seen(kept.dossier.code)).attachments;
    expect(attachments).toHaveLength(2);
    expect((await seen(failed.dossier.code)).attachments).toHaveLength(0);
    const bytes = await Promise.all(attachments.map((a) => download(kept.dossier.code, a.id)));
    expect(bytes.map((b) => b.length).sort()).toEqual([content.length, other.length].sort());
    expect(bytes.some((b) => b.equals(content)) && bytes.some((b) => b.equals(other))).toBe(true);

    // Long after: the sweeper deletes only what no row references, and these are referenced.
    await server.deps.orphans.sweep(new Date(Date.now() + 3 * HOUR));
    for (const a of attachments) expect((await download(kept.dossier.code, a.id)).length).toBeGreaterThan(0);
  });

  it("race 2: when marking a supplement's files used fails, then the supplement is not recorded either; once it succeeds they cannot be named again", async () => {
    const { dossier } = await client.createDossier(forwarding(), `dossier:${references}`);
    await act(dossier.code, { action: "accept" });
    await act(dossier.code, { action: "request-supplement", missingDocuments: ["Giấy chứng sinh (bản chính)"] });
    const extra = await client.uploadAttachment(
      dossier.code,
      upload(pdf(), { kind: "supplement", documentIndex: null, fileName: "bo-sung.pdf", mime: "application/pdf" }),
    );

    const unrefuse = await refuseWrites(server.deps.db, {
      name: "qn_test_refuse_mark",
      table: "portal_api_uploads",
      event: "UPDATE",
    });
    try {
      expect(await failure(client.supplement(dossier.code, { attachmentIds: [extra.id] }))).toBeInstanceOf(Error);
    } finally {
      await unrefuse();
    }
    // All or nothing: still asked for the supplement, no file joined, the upload still waiting for its supplement.
    const after = await seen(dossier.code);
    expect([after.state, after.attachments.filter((a) => a.kind === "supplement").length]).toEqual([5, 0]);
    const upload1 = await portalApiDb(server.deps.db)
      .selectFrom("portal_api_uploads")
      .select("used_at")
      .where("id", "=", Number(extra.id.slice(4)))
      .executeTakeFirstOrThrow();
    expect(upload1.used_at).toBeNull();

    // The client tries again: it is recorded once, with the file, and the file cannot be named a second time.
    expect(await client.supplement(dossier.code, { attachmentIds: [extra.id] })).toMatchObject({ state: 4 });
    await act(dossier.code, { action: "request-supplement", missingDocuments: ["Bản sao CCCD"] });
    expect(await failure(client.supplement(dossier.code, { attachmentIds: [extra.id] }))).toBeInstanceOf(Error);
    const final = await seen(dossier.code);
    expect([final.state, final.attachments.filter((a) => a.kind === "supplement").length]).toEqual([5, 1]);
  });
});
