import { describe, expect, it } from "vitest";
import { signedTimestamp, validateSignature, zaloSignature } from "./validate-signature";

const appId = "4291763606161179100";
const secret = "oa-secret-key";
const body = Buffer.from(
  '{"app_id":"4291763606161179100","event_name":"user_send_text","timestamp":"1700000000000","sender":{"id":"1"},"message":{"msg_id":"m1","text":"Tra cứu hồ sơ"}}',
);
const good = `mac=${zaloSignature(appId, body, "1700000000000", secret)}`;

describe("Zalo webhook signature", () => {
  it("when the header is the SHA-256 of app id, raw body, timestamp and OA secret, then it is valid", () => {
    expect(validateSignature(good, appId, body, "1700000000000", secret)).toBe(true);
    expect(validateSignature(good.toUpperCase().replace("MAC=", "mac="), appId, body, "1700000000000", secret)).toBe(
      true,
    );
  });

  it.each([
    ["missing", undefined, body, "1700000000000", secret, appId],
    ["not mac=", good.replace("mac=", "sig="), body, "1700000000000", secret, appId],
    ["too short", "mac=abcd", body, "1700000000000", secret, appId],
    [
      "a tampered body",
      good,
      Buffer.from(body.toString().replace("Tra cứu", "Tra cuu")),
      "1700000000000",
      secret,
      appId,
    ],
    ["another timestamp", good, body, "1700000000001", secret, appId],
    ["the wrong secret", good, body, "1700000000000", "other-secret", appId],
    ["another app id", good, body, "1700000000000", secret, "1"],
  ])("when the signature is %s, then it is refused", (_case, header, raw, timestamp, key, app) => {
    expect(validateSignature(header, app, raw, timestamp, key)).toBe(false);
  });

  it("when the body was re-serialised (spacing changed), then the signature no longer matches: raw bytes only", () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
    expect(validateSignature(good, appId, reserialised, "1700000000000", secret)).toBe(false);
  });
});

describe("the signed timestamp, found before the body is parsed", () => {
  it("when the signature matches with the body's timestamp, then that timestamp is returned", () => {
    expect(signedTimestamp(good, appId, body, secret)).toBe("1700000000000");
  });

  it("when the timestamp is a bare number, then it is found too", () => {
    const numeric = Buffer.from('{"app_id":"1","timestamp": 1700000000000 ,"event_name":"follow"}');
    const mac = `mac=${zaloSignature(appId, numeric, "1700000000000", secret)}`;
    expect(signedTimestamp(mac, appId, numeric, secret)).toBe("1700000000000");
  });

  it.each([
    ["the signature is wrong", `mac=${"0".repeat(64)}`, body],
    ["the header is malformed", "mac=zz", body],
    ["the body has no timestamp", good, Buffer.from('{"app_id":"1"}')],
    ["the timestamp is only inside a text", good, Buffer.from('{"text":"\\"timestamp\\":\\"1700000000000\\""}')],
    ["the body is not JSON at all", good, Buffer.from("{not json")],
  ])("when %s, then nothing is returned", (_case, header, raw) => {
    expect(signedTimestamp(header, appId, raw, secret)).toBeUndefined();
  });
});
