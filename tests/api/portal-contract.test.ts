import fs from "node:fs";
import {
  DossierState,
  fromPortalAttachment,
  fromPortalDossier,
  fromPortalDossierCreate,
  fromPortalProcedure,
  fromPortalStateChange,
  PortalAttachment,
  PortalAttachmentUploadFields,
  PortalDossier,
  PortalDossierCreate,
  PortalErrorBody,
  PortalOAuthError,
  PortalProcedure,
  PortalStateChange,
  PortalSupplementRequest,
  PortalTokenResponse,
  PortalWithdrawRequest,
} from "@qn/shared";
import { describe, expect, it } from "vitest";
import type { z } from "zod";

/**
 * The portal contract (docs/portal-api/openapi.json) is written by hand; these checks keep it sound and in step with
 * the zod schemas the client and (later) the embedded portal parse with. No YAML parser is installed, hence JSON.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const doc = JSON.parse(
  fs.readFileSync(new URL("../../docs/portal-api/openapi.json", import.meta.url), "utf8"),
) as JsonObject;

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

function object(value: Json | undefined, where: string): JsonObject {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`${where}: not an object`);
  return value;
}

/** Every operation of the paths and of the webhooks, with where it is. */
function operations(): { where: string; op: JsonObject }[] {
  const found: { where: string; op: JsonObject }[] = [];
  for (const section of ["paths", "webhooks"]) {
    for (const [path, item] of Object.entries(object(doc[section], section))) {
      for (const [method, op] of Object.entries(object(item, path))) {
        if (METHODS.includes(method))
          found.push({ where: `${section} ${method.toUpperCase()} ${path}`, op: object(op, path) });
      }
    }
  }
  return found;
}

function resolve(pointer: string): Json | undefined {
  if (!pointer.startsWith("#/")) return undefined;
  let node: Json | undefined = doc;
  for (const raw of pointer.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object" || Array.isArray(node) || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

function refs(node: Json, path = "#"): { at: string; ref: string }[] {
  if (node === null || typeof node !== "object") return [];
  if (Array.isArray(node)) return node.flatMap((v, i) => refs(v, `${path}/${i}`));
  return Object.entries(node).flatMap(([k, v]) =>
    k === "$ref" && typeof v === "string" ? [{ at: path, ref: v }] : refs(v, `${path}/${k}`),
  );
}

const schema = (name: string) => object(object(object(doc.components, "components").schemas, "schemas")[name], name);
const propertyNames = (name: string) => Object.keys(object(schema(name).properties, name)).sort();
const zodKeys = (s: z.ZodObject) => Object.keys(s.shape).sort();

describe("the portal contract (docs/portal-api/openapi.json)", () => {
  it("when it is read, then it is OpenAPI 3.1 with an operationId on every operation, each once", () => {
    expect(String(doc.openapi)).toMatch(/^3\.1\.\d+$/);
    const ids = operations().map(({ where, op }) => {
      expect(typeof op.operationId, where).toBe("string");
      return String(op.operationId);
    });
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(
      [
        "issueToken",
        "listProcedureChanges",
        "createDossier",
        "uploadAttachment",
        "getDossier",
        "listDossierChanges",
        "supplementDossier",
        "withdrawDossier",
        "onDossierStateChanged",
      ].sort(),
    );
  });

  it("when its $refs are followed, then every one resolves", () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(50);
    for (const { at, ref } of all) expect(resolve(ref), `${at} → ${ref}`).toBeDefined();
  });

  it("when an API call can fail, then its errors are documented with the shared error shape", () => {
    for (const { where, op } of operations()) {
      if (where.startsWith("webhooks")) continue;
      const responses = object(op.responses, where);
      const statuses = Object.keys(responses);
      expect(
        statuses.some((s) => s.startsWith("2")),
        where,
      ).toBe(true);
      for (const status of ["401", "429", "503"]) expect(statuses, `${where} ${status}`).toContain(status);
    }
    expect(zodKeys(PortalErrorBody)).toEqual(propertyNames("Error"));
    expect(Object.keys(object(object(schema("Error").properties, "Error").error, "error").properties ?? {})).toEqual([
      "code",
      "message",
      "details",
    ]);
    expect(zodKeys(PortalOAuthError)).toEqual(propertyNames("OAuthError"));
  });

  it("when a dossier is created, then the Idempotency-Key header is required and 201, 200 and 409 are documented", () => {
    const create = object(object(object(doc.paths, "paths")["/v1/dossiers"], "dossiers").post, "post");
    const header = object(resolve("#/components/parameters/IdempotencyKey"), "IdempotencyKey");
    expect(header).toMatchObject({ name: "Idempotency-Key", in: "header", required: true });
    expect(create.parameters).toEqual([{ $ref: "#/components/parameters/IdempotencyKey" }]);
    expect(Object.keys(object(create.responses, "responses"))).toEqual(expect.arrayContaining(["200", "201", "409"]));
  });

  it("when the callback is described, then both signature headers are required and the algorithm is stated", () => {
    const hook = object(object(object(doc.webhooks, "webhooks").dossierStateChanged, "hook").post, "post");
    const headers = (hook.parameters as JsonObject[]).filter((p) => p.in === "header" && p.required === true);
    expect(headers.map((p) => p.name)).toEqual(["X-Portal-Timestamp", "X-Portal-Signature"]);
    expect(String(hook.description)).toContain('timestamp + "." + body');
    expect(String(hook.description)).toContain("5 minutes");
    expect(object(hook.requestBody, "body")).toMatchObject({
      content: { "application/json": { schema: { $ref: "#/components/schemas/StateChange" } } },
    });
  });

  it("when its schemas are set beside the zod schemas, then they have the same fields and codes", () => {
    const pairs: [string, z.ZodObject][] = [
      ["DossierCreate", PortalDossierCreate],
      ["Dossier", PortalDossier],
      ["StateChange", PortalStateChange],
      ["Procedure", PortalProcedure],
      ["Attachment", PortalAttachment],
      ["SupplementRequest", PortalSupplementRequest],
      ["WithdrawRequest", PortalWithdrawRequest],
      ["TokenResponse", PortalTokenResponse],
    ];
    for (const [name, zod] of pairs) expect(propertyNames(name), name).toEqual(zodKeys(zod));
    expect(propertyNames("AttachmentUpload")).toEqual([...zodKeys(PortalAttachmentUploadFields), "TepDinhKem"].sort());
    expect(schema("TrangThaiHoSo").enum).toEqual([...DossierState.values]);
    expect(schema("KenhThucHien").enum).toEqual([1, 2, 3]);
  });

  it("when its examples are parsed and mapped with the shared module, then they are valid", () => {
    const example = (name: string) => (schema(name).examples as Json[])[0];
    expect(fromPortalDossierCreate(example("DossierCreate"))).toMatchObject({
      channel: "online",
      filedBy: { role: "volunteer" },
    });
    expect(fromPortalDossier(example("Dossier"))).toMatchObject({ state: 2, dueDate: "2025-10-02" });
    expect(fromPortalStateChange(example("StateChange"))).toMatchObject({ fromState: 2, toState: 5 });
    expect(fromPortalProcedure(example("Procedure"))).toMatchObject({
      procedure: { code: "1.004222", level: "commune" },
    });
    expect(fromPortalAttachment(example("Attachment"))).toMatchObject({ kind: "initial" });
    expect(PortalSupplementRequest.parse(example("SupplementRequest"))).toBeTruthy();
    expect(PortalWithdrawRequest.parse(example("WithdrawRequest"))).toBeTruthy();
    expect(PortalTokenResponse.parse(example("TokenResponse"))).toBeTruthy();
  });
});
