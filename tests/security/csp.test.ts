import fs from "node:fs";
import path from "node:path";
import { ConfigError, loadConfig } from "@qn/bot-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, official } from "../helpers/api";
import { startTestServer, type TestServer, tempDataDir } from "../helpers/test-server";

/**
 * Issue 13, finding 15: the mini-app's Content-Security-Policy blocked announcement images (`img-src 'self' data:
 * blob:`). The image hosts an administrator configures are allowed, and nothing else.
 */

const HOSTS = "cdn.quangninh.gov.vn, https://*.zdn.vn";

/** A front-end folder with one page, so the test does not depend on a build. */
function frontEnd(file: string): string {
  const dir = tempDataDir();
  fs.writeFileSync(path.join(dir, file), "<!doctype html><title>x</title>");
  return dir;
}

/** The sources of one directive of a Content-Security-Policy header. */
function directive(csp: string | null, name: string): string[] {
  const found = (csp ?? "")
    .split(";")
    .map((d) => d.trim().split(/\s+/))
    .find(([n]) => n === name);
  return found?.slice(1) ?? [];
}

describe("ANNOUNCEMENT_IMAGE_HOSTS", () => {
  it("when it lists hosts, then each becomes an https source", () => {
    expect(loadConfig({ ANNOUNCEMENT_IMAGE_HOSTS: HOSTS }).announcementImageHosts).toEqual([
      "https://cdn.quangninh.gov.vn",
      "https://*.zdn.vn",
    ]);
    expect(loadConfig({}).announcementImageHosts).toEqual([]);
  });

  it.each([
    "http://cdn.quangninh.gov.vn",
    "cdn.quangninh.gov.vn; script-src *",
    "'unsafe-inline'",
    "https://cdn.quangninh.gov.vn/anh",
    "*",
    "https:",
    "data:",
  ])("when it holds %j, then the server does not start and names the variable", (value) => {
    expect(() => loadConfig({ ANNOUNCEMENT_IMAGE_HOSTS: value })).toThrow(ConfigError);
    try {
      loadConfig({ ANNOUNCEMENT_IMAGE_HOSTS: value });
    } catch (error) {
      expect((error as ConfigError).issues.map((i) => i.variable)).toContain("ANNOUNCEMENT_IMAGE_HOSTS");
    }
  });
});

describe("the pages' image policy", () => {
  let server: TestServer;
  beforeAll(async () => {
    const { announcementImageHosts } = loadConfig({ ANNOUNCEMENT_IMAGE_HOSTS: HOSTS });
    server = await startTestServer({
      announcementImageHosts,
      miniAppDist: frontEnd("index.html"),
      consoleDist: frontEnd("console.html"),
    });
  });
  afterAll(() => server.close());

  async function policy(pathname: string) {
    const res = await fetch(`${server.url}${pathname}`, { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    return res.headers.get("content-security-policy");
  }

  it("when the mini-app's page is served, then its images may come from the configured hosts and from nowhere else", async () => {
    const csp = await policy("/");
    expect(directive(csp, "img-src")).toEqual([
      "'self'",
      "data:",
      "blob:",
      "https://cdn.quangninh.gov.vn",
      "https://*.zdn.vn",
    ]);
    // Nothing else in the policy widened.
    expect(directive(csp, "default-src")).toEqual(["'self'"]);
    expect(directive(csp, "script-src")).toEqual(["'self'"]);
  });

  it("when the console's page is served, then its images come from the same hosts, not from any https address", async () => {
    const csp = await policy("/console/");
    expect(directive(csp, "img-src")).toEqual([
      "'self'",
      "data:",
      "blob:",
      "https://cdn.quangninh.gov.vn",
      "https://*.zdn.vn",
    ]);
    expect(directive(csp, "frame-src")).toEqual(["'self'", "blob:"]);
  });

  it("when an official gives an announcement an image from a host not configured, then it is refused naming the field; from a configured one, it is kept", async () => {
    const author = await official(server, "official", "22");
    const draft = {
      title: "Lịch nghỉ Tết",
      body: "Bộ phận một cửa nghỉ Tết từ ngày 14/02.",
      audience: { kind: "all" },
    };
    const refused = await call(server, "POST", "/api/officials/announcements", {
      token: author.token,
      json: { ...draft, imageUrl: "https://anh.example.com/tet.jpg" },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("VALIDATION_FAILED");
    expect(refused.body.error.message).toContain("cdn.quangninh.gov.vn");
    expect(refused.body.error.details.map((d: { path: string }) => d.path)).toContain("imageUrl");
    for (const imageUrl of ["https://cdn.quangninh.gov.vn/tet.jpg", "https://s120.zdn.vn/tet.jpg"]) {
      const kept = await call(server, "POST", "/api/officials/announcements", {
        token: author.token,
        json: { ...draft, imageUrl },
      });
      expect(kept.status).toBe(201);
      expect(kept.body.imageUrl).toBe(imageUrl);
    }
  });
});
