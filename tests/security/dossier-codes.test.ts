import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { citizen, devOutbox, file, procedure, requiredFiles, submission } from "../helpers/api";
import { png } from "../helpers/files";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { citizenWrites } from "../helpers/webhook";

/**
 * Issue 13, finding 6: sequential codes and the public lookup gave away every dossier in the ranges tried, with its
 * procedure, unit, surname and exact time. Codes now end in random digits; an anonymous lookup shows state, procedure
 * and due date only; the receipt's secret (or being the owner) shows more; the lookup and the chatbot's "tra cứu"
 * have their own limits per code and per source.
 */
describe("dossier codes and the public lookup", () => {
  let server: TestServer;
  let documents: ReturnType<typeof requiredFiles>;
  beforeAll(async () => {
    // Behind one proxy, so that each test may speak from several addresses (X-Forwarded-For).
    server = await startTestServer({ trustProxyHops: 1 });
    documents = requiredFiles(await procedure(server, "1.001193"), png);
  });
  afterAll(() => server.close());

  const fileAs = async (zaloId: string, name: string) => {
    const token = await citizen(server, zaloId, name);
    const res = await file(server, token, submission({ applicant: { ...submission().applicant, name } }), documents);
    expect(res.status).toBe(201);
    return { token, dossier: res.body as { code: string; submittedAt: string; lookupSecret?: string } };
  };
  /** A lookup from a given address, as a browser would send it. */
  const lookup = async (path: string, from = "203.0.113.1", token?: string) => {
    const res = await fetch(`${server.url}/api/lookup/${path}`, {
      headers: { "x-forwarded-for": from, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    return { status: res.status, body: await res.json() };
  };

  it("when dossiers are filed one after another, then their codes keep the national form but do not count up", async () => {
    const suffixes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const { dossier } = await fileAs(`seq-${i}`, `Nguyễn Văn Số ${i}`);
      expect(dossier.code).toMatch(/^06652\.H49-\d{6}-\d{4}$/);
      suffixes.push(Number(dossier.code.slice(-4)));
    }
    const steps = suffixes.slice(1).map((n, i) => n - (suffixes[i] as number));
    expect(steps.filter((s) => s === 1).length).toBeLessThan(steps.length);
    expect(new Set(suffixes).size).toBe(suffixes.length);
  });

  it("when an anonymous caller looks a code up, then they see state, procedure and due date, and no name or time", async () => {
    const { dossier } = await fileAs("anon-1", "Phạm Thị Dung");
    const res = await lookup(dossier.code, "203.0.113.2");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: dossier.code, state: 1, procedureName: "Đăng ký khai sinh", dueDate: null });
    expect(res.body).not.toHaveProperty("applicantName");
    expect(res.body).not.toHaveProperty("submittedAt");
    const text = JSON.stringify(res.body);
    expect(text).not.toContain("Phạm");
    expect(text).not.toContain(dossier.submittedAt);
    expect(text).not.toContain(dossier.submittedAt.slice(0, 16));
  });

  it("when the caller gives the receipt's secret or is the owner, then they also see the masked name and the filing", async () => {
    const { dossier, token } = await fileAs("anon-2", "Hoàng Văn Em");
    expect(dossier.lookupSecret).toMatch(/^[A-Z0-9]{6}$/);
    const withSecret = await lookup(`${dossier.code}?secret=${dossier.lookupSecret?.toLowerCase()}`, "203.0.113.3");
    expect(withSecret.status).toBe(200);
    expect(withSecret.body.details).toMatchObject({
      applicantName: "Hoàng V** E*",
      unitName: expect.stringContaining("Hà Tu"),
      submittedAt: dossier.submittedAt,
    });
    const wrong = await lookup(`${dossier.code}?secret=${dossier.lookupSecret === "AAAAAA" ? "BBBBBB" : "AAAAAA"}`);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe("LOOKUP_SECRET_WRONG");
    expect(JSON.stringify(wrong.body)).not.toContain("Hoàng");
    const owner = await lookup(dossier.code, "203.0.113.4", token);
    expect(owner.body.details).toMatchObject({ applicantName: "Hoàng V** E*" });
    // Someone else signed in is as anonymous as anyone.
    const stranger = await lookup(dossier.code, "203.0.113.5", await citizen(server, "anon-3", "Người Lạ"));
    expect(stranger.body.details).toBeNull();
  });

  it("when one address looks up many codes, then it is stopped (429) before it can walk a range", async () => {
    const from = "198.51.100.7";
    const answers: number[] = [];
    for (let i = 0; i < 40; i++)
      answers.push((await lookup(`06652.H49-260101-${String(i).padStart(4, "0")}`, from)).status);
    expect(answers.slice(0, 30).every((s) => s === 404)).toBe(true);
    expect(answers.slice(30).every((s) => s === 429)).toBe(true);
    const limited = await lookup("06652.H49-260101-0001", from);
    expect(limited.body.error.code).toBe("LOOKUP_RATE_LIMITED");
    // Another address is not held back.
    expect((await lookup("06652.H49-260101-0001", "198.51.100.8")).status).toBe(404);
  });

  it("when one code is tried many times from many addresses (guessing its secret), then that code is held back", async () => {
    const { dossier } = await fileAs("anon-4", "Vũ Đức Cường");
    const answers: number[] = [];
    for (let i = 0; i < 25; i++)
      answers.push((await lookup(`${dossier.code}?secret=ZZZZZ${i % 10}`, `192.0.2.${i + 1}`)).status);
    expect(answers.slice(0, 20).every((s) => s === 403)).toBe(true);
    expect(answers.slice(20).every((s) => s === 429)).toBe(true);
    // Even with the right secret, for the rest of the window: the guesser cannot tell a hit from a miss.
    expect((await lookup(`${dossier.code}?secret=${dossier.lookupSecret}`, "192.0.2.200")).status).toBe(429);
  });
});

describe("the chatbot's tra cứu", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const replies = async (userId: string) =>
    ((await devOutbox(server, { userId })).body.items as { payload: { plain: { text: string } } }[]).map(
      (i) => i.payload.plain.text,
    );

  it("when a stranger sends a dossier's code, then the bot tells the state and procedure, not the applicant's name", async () => {
    const token = await citizen(server, "chat-owner", "Nguyễn Văn Bảy");
    const birth = await procedure(server, "1.001193");
    const filed = await file(
      server,
      token,
      submission({ applicant: { ...submission().applicant, name: "Nguyễn Văn Bảy" } }),
      requiredFiles(birth, png),
    );
    const user = `stranger-${randomUUID()}`;
    await citizenWrites(server, user, `tra cứu ${filed.body.code}`);
    const [answer] = await replies(user);
    expect(answer).toContain("Mới đăng ký");
    expect(answer).toContain("Đăng ký khai sinh");
    expect(answer).not.toContain("Nguyễn V");
  });

  it("when one Zalo user sends code after code, then the bot stops looking them up and says when to try again", async () => {
    const user = `walker-${randomUUID()}`;
    for (let i = 0; i < 31; i++) await citizenWrites(server, user, `06652.H49-260101-${String(i).padStart(4, "0")}`);
    const answers = await replies(user);
    expect(answers).toHaveLength(31);
    expect(answers.slice(0, 30).every((t) => t.includes("Không tìm thấy hồ sơ"))).toBe(true);
    expect(answers[30]).toContain("tra cứu quá nhiều");
  });
});
