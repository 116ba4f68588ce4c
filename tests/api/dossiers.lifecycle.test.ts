import { DossierLookup, DossierView, vietnamDate } from "@qn/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, citizen, file, form, official, procedure, requiredFiles, submission, view } from "../helpers/api";
import { jpeg, pdf, png } from "../helpers/files";
import { startTestServer, type TestServer } from "../helpers/test-server";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

async function act(token: string, code: string, body: Record<string, unknown>) {
  return call(server, "POST", `/api/officials/dossiers/${code}/actions`, { token, json: body });
}

describe("a dossier's whole life through the HTTP API", () => {
  it("when a citizen files and officials process it to delivery, then every step, date and event is recorded", async () => {
    const token = await citizen(server, "zalo-an");
    const birth = await procedure(server, "1.001193");
    const files = [png, jpeg, pdf];
    const filed = await file(
      server,
      token,
      submission(),
      requiredFiles(birth, () => (files.shift() ?? png)()),
    );
    expect(filed.status).toBe(201);
    const dossier = DossierView.parse(filed.body);
    const day = vietnamDate(new Date()).replace(/-/g, "").slice(2);
    expect(dossier.code).toMatch(new RegExp(`^06652\\.H49-${day}-\\d{4}$`));
    expect(dossier).toMatchObject({ state: 1, stateLabel: "Mới đăng ký", channel: "online", unitCode: "06652" });
    expect(dossier.procedure).toMatchObject({ code: "1.001193", name: "Đăng ký khai sinh", onlineLevel: 4 });
    expect(dossier.attachments.map((a) => a.mime).sort()).toEqual(["application/pdf", "image/jpeg", "image/png"]);
    expect(dossier.dueDate).toBeNull();

    // The citizen's list holds it; the commune's one-stop officer sees it in the queue.
    const mine = await call(server, "GET", "/api/dossiers", { token });
    expect(mine.body.items.map((d: { code: string }) => d.code)).toEqual([dossier.code]);
    const hcc = await official(server, "hcc", "06652");
    const queue = await call(server, "GET", "/api/officials/dossiers?state=1", { token: hcc.token });
    expect(queue.body.items.map((d: { code: string }) => d.code)).toContain(dossier.code);

    // Accept: the due date counts working days from today.
    const accepted = view(await act(hcc.token, dossier.code, { action: "accept", note: "Hồ sơ đầy đủ" }));
    expect(accepted.state).toBe(2);
    const calendar = await server.deps.calendar.calendar();
    expect(accepted.dueDate).toBe(calendar.addWorkingDays(vietnamDate(new Date()), 1));

    const processing = view(await act(hcc.token, dossier.code, { action: "process" }));
    expect(processing.state).toBe(4);

    // A supplement is asked for; the citizen sees what is missing and sends it; the clock restarts.
    const asked = view(
      await act(hcc.token, dossier.code, {
        action: "request-supplement",
        missingDocuments: ["Giấy chứng sinh bản chính"],
        note: "Ảnh giấy chứng sinh bị mờ",
      }),
    );
    expect(asked.state).toBe(5);
    const seen = view(await call(server, "GET", `/api/dossiers/${dossier.code}`, { token }));
    expect(seen.missingDocuments).toEqual(["Giấy chứng sinh bản chính"]);
    const supplemented = await call(server, "POST", `/api/dossiers/${dossier.code}/supplement`, {
      token,
      form: (() => {
        const f = form(undefined, [{ index: 1, name: "giay-chung-sinh.jpg", content: jpeg() }]);
        f.set("note", "Em gửi lại ảnh rõ hơn");
        return f;
      })(),
    });
    expect(supplemented.status).toBe(200);
    expect(view(supplemented)).toMatchObject({ state: 4, missingDocuments: [] });
    expect(view(supplemented).attachments.filter((a) => a.kind === "supplement")).toHaveLength(1);
    expect(view(supplemented).dueDate).toBe(calendar.addWorkingDays(vietnamDate(new Date()), 1));

    const payment = view(await act(hcc.token, dossier.code, { action: "request-payment", amount: 8000 }));
    expect(payment).toMatchObject({ state: 6, feesDue: 8000 });
    expect(view(await act(hcc.token, dossier.code, { action: "confirm-payment" })).state).toBe(4);
    expect(view(await act(hcc.token, dossier.code, { action: "complete" })).state).toBe(9);
    const delivered = view(
      await act(hcc.token, dossier.code, { action: "deliver", note: "Đã trả tại bộ phận một cửa" }),
    );
    expect(delivered.state).toBe(10);

    // The history: who, role, unit, when, what, resulting state — every step.
    expect(delivered.history.map((s) => [s.action, s.fromState, s.toState])).toEqual([
      ["submit", null, 1],
      ["accept", 1, 2],
      ["process", 2, 4],
      ["request-supplement", 4, 5],
      ["supplement", 5, 4],
      ["request-payment", 4, 6],
      ["confirm-payment", 6, 4],
      ["complete", 4, 9],
      ["deliver", 9, 10],
    ]);
    const acceptStep = delivered.history[1];
    expect(acceptStep).toMatchObject({ actorKind: "official", unitCode: "06652", note: "Hồ sơ đầy đủ" });
    expect(acceptStep?.role).toBe("Cán bộ Trung tâm Phục vụ hành chính công");
    expect(delivered.history[4]).toMatchObject({
      actorKind: "citizen",
      role: "Công dân",
      note: "Em gửi lại ảnh rõ hơn",
    });

    // One domain event per change, written with it.
    const events = await server.deps.db
      .selectFrom("dossier_events")
      .innerJoin("dossiers", "dossiers.id", "dossier_events.dossier_id")
      .select(["dossier_events.type", "dossier_events.payload"])
      .where("dossiers.code", "=", dossier.code)
      .orderBy("dossier_events.id")
      .execute();
    expect(events.map((e) => JSON.parse(e.payload).toState)).toEqual([1, 2, 4, 5, 4, 6, 4, 9, 10]);

    // Satisfaction, once.
    const rated = await call(server, "POST", `/api/dossiers/${dossier.code}/rating`, {
      token,
      json: { score: 5, comment: "Nhanh, cán bộ nhiệt tình" },
    });
    expect(view(rated).rating).toEqual({ score: 5, comment: "Nhanh, cán bộ nhiệt tình" });
    const again = await call(server, "POST", `/api/dossiers/${dossier.code}/rating`, { token, json: { score: 1 } });
    expect(again.status).toBe(409);
  });

  it("when an action is not legal in the current state, then 409 names the state and nothing changes", async () => {
    const token = await citizen(server, "zalo-binh", "Trần Thị Bình");
    const birth = await procedure(server, "1.001193");
    const dossier = view(await file(server, token, submission(), requiredFiles(birth, png)));
    const hcc = await official(server, "hcc", "06652");
    const res = await act(hcc.token, dossier.code, { action: "deliver" });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("ILLEGAL_TRANSITION");
    expect(res.body.error.message).toContain("Mới đăng ký");
    const after = view(await call(server, "GET", `/api/dossiers/${dossier.code}`, { token }));
    expect(after.state).toBe(1);
    expect(after.history).toHaveLength(1);
  });

  it("when the citizen withdraws, then officials can no longer accept it", async () => {
    const token = await citizen(server, "zalo-cuong", "Lê Văn Cường");
    const birth = await procedure(server, "1.001193");
    const dossier = view(await file(server, token, submission(), requiredFiles(birth, png)));
    const withdrawn = await call(server, "POST", `/api/dossiers/${dossier.code}/withdraw`, {
      token,
      json: { reason: "Nộp nhầm thủ tục" },
    });
    expect(view(withdrawn)).toMatchObject({ state: 7, stateLabel: "Công dân yêu cầu rút hồ sơ" });
    const hcc = await official(server, "hcc", "06652");
    expect((await act(hcc.token, dossier.code, { action: "accept" })).status).toBe(409);
  });

  it("when anyone looks a code up, then they see state, procedure and due date; with the receipt's secret, the name masked", async () => {
    const token = await citizen(server, "zalo-dung", "Phạm Thị Dung");
    const birth = await procedure(server, "1.001193");
    const dossier = view(
      await file(
        server,
        token,
        submission({ applicant: { ...submission().applicant, name: "Phạm Thị Dung" } }),
        requiredFiles(birth, png),
      ),
    );
    const res = await call(server, "GET", `/api/lookup/${dossier.code}`);
    expect(res.status).toBe(200);
    const lookup = DossierLookup.parse(res.body);
    // Issue 13, finding 6: the name and the time of filing only for whoever also shows the receipt's secret.
    expect(lookup).toMatchObject({ code: dossier.code, state: 1, procedureName: "Đăng ký khai sinh", details: null });
    expect(JSON.stringify(res.body)).not.toContain("Phạm");
    const withSecret = DossierLookup.parse(
      (await call(server, "GET", `/api/lookup/${dossier.code}?secret=${dossier.lookupSecret}`)).body,
    );
    expect(withSecret.details?.applicantName).toBe("Phạm T** D***");
    expect(JSON.stringify(withSecret)).not.toContain("022090001234");
    expect((await call(server, "GET", "/api/lookup/06652.H49-990101-0001")).status).toBe(404);
    expect((await call(server, "GET", "/api/lookup/khong-phai-ma")).status).toBe(400);
  });

  it("when a province-level procedure is filed, then the provincial centre receives it, not the commune", async () => {
    const token = await citizen(server, "zalo-em", "Hoàng Văn Em");
    const record = await procedure(server, "3.000333");
    const dossier = view(
      await file(
        server,
        token,
        submission({ procedureCode: "3.000333", resultDelivery: { method: "online" } }),
        requiredFiles(record, pdf),
      ),
    );
    expect(dossier.unitCode).toBe("22");
    expect(dossier.code).toMatch(/^000\.00\.00\.H49-\d{6}-\d{4}$/);
    const communeOfficer = await official(server, "hcc", "06652");
    expect(
      (await call(server, "GET", `/api/officials/dossiers/${dossier.code}`, { token: communeOfficer.token })).status,
    ).toBe(404);
    const provinceOfficer = await official(server, "official", "22");
    expect((await act(provinceOfficer.token, dossier.code, { action: "accept" })).status).toBe(200);
  });
});

describe("filing on a citizen's behalf", () => {
  it("when a volunteer files with the citizen's consent, then the dossier says who filed it and how consent was given", async () => {
    const volunteer = await official(server, "volunteer", "06652");
    const birth = await procedure(server, "1.001193");
    const res = await file(
      server,
      volunteer.token,
      submission({
        applicant: { ...submission().applicant, phone: "0912345678" },
        onBehalf: { method: "in-person", note: "Bà con ký giấy đồng ý tại nhà văn hóa khu 4" },
      }),
      requiredFiles(birth, png),
    );
    expect(res.status).toBe(201);
    expect(view(res).filedBy).toMatchObject({ role: "volunteer", consent: { method: "in-person" } });
    expect(view(res).applicant.phone).toBe("0912345678");
    const list = await call(server, "GET", "/api/dossiers", { token: volunteer.token });
    expect(list.body.items.map((d: { code: string }) => d.code)).toContain(view(res).code);
    // A volunteer files and follows; processing is for officials.
    expect((await act(volunteer.token, view(res).code, { action: "accept" })).status).toBe(403);
  });

  it("when a volunteer leaves out the consent, or a citizen claims to file for someone, then it is refused", async () => {
    const volunteer = await official(server, "volunteer", "06652");
    const birth = await procedure(server, "1.001193");
    const noConsent = await file(server, volunteer.token, submission(), requiredFiles(birth, png));
    expect(noConsent.status).toBe(400);
    expect(noConsent.body.error.details[0].path).toBe("onBehalf");
    const token = await citizen(server, "zalo-giang");
    const claimed = await file(
      server,
      token,
      submission({ onBehalf: { method: "written" } }),
      requiredFiles(birth, png),
    );
    expect(claimed.status).toBe(403);
  });
});

describe("due dates and the holiday calendar", () => {
  it("when a dossier's due date has passed, then it is flagged overdue and found by the overdue filter", async () => {
    const token = await citizen(server, "zalo-hoa", "Đỗ Thị Hoa");
    const birth = await procedure(server, "1.001193");
    const dossier = view(await file(server, token, submission(), requiredFiles(birth, png)));
    const hcc = await official(server, "hcc", "06652");
    await act(hcc.token, dossier.code, { action: "accept" });
    // Arrange: the dossier was accepted long ago.
    await server.deps.db
      .updateTable("dossiers")
      .set({ due_date: "2025-01-02" })
      .where("code", "=", dossier.code)
      .execute();
    expect(view(await call(server, "GET", `/api/dossiers/${dossier.code}`, { token })).overdue).toBe(true);
    const overdue = await call(server, "GET", "/api/officials/dossiers?overdue=true", { token: hcc.token });
    expect(overdue.body.items.map((d: { code: string }) => d.code)).toContain(dossier.code);
    const notOverdue = await call(server, "GET", "/api/officials/dossiers?overdue=false", { token: hcc.token });
    expect(notOverdue.body.items.map((d: { code: string }) => d.code)).not.toContain(dossier.code);
  });

  it("when an administrator adds a day off, then due dates skip it; other officials may only read the calendar", async () => {
    const admin = await official(server, "admin", "22");
    const hcc = await official(server, "hcc", "06652");
    const shipped = await call(server, "GET", "/api/admin/calendar?year=2026", { token: hcc.token });
    expect(
      shipped.body.items.some((d: { date: string; kind: string }) => d.date === "2026-02-17" && d.kind === "holiday"),
    ).toBe(true);

    const calendar = await server.deps.calendar.calendar();
    const today = vietnamDate(new Date());
    const tomorrow = calendar.addWorkingDays(today, 1);
    const put = await call(server, "PUT", `/api/admin/calendar/${tomorrow}`, {
      token: admin.token,
      json: { name: "Nghỉ đột xuất (thử nghiệm)", kind: "holiday" },
    });
    expect(put.status).toBe(200);
    const shifted = (await server.deps.calendar.calendar()).addWorkingDays(today, 1);
    expect(shifted > tomorrow).toBe(true);

    const token = await citizen(server, "zalo-khanh");
    const birth = await procedure(server, "1.001193");
    const dossier = view(await file(server, token, submission(), requiredFiles(birth, png)));
    expect(view(await act(hcc.token, dossier.code, { action: "accept" })).dueDate).toBe(shifted);

    const forbidden = await call(server, "PUT", `/api/admin/calendar/${tomorrow}`, {
      token: hcc.token,
      json: { name: "x", kind: "holiday" },
    });
    expect(forbidden.status).toBe(403);
    expect((await call(server, "DELETE", `/api/admin/calendar/${tomorrow}`, { token: admin.token })).status).toBe(204);
  });
});
