import fs from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, citizen } from "../helpers/api";
import { LARGE_TEXT_CSS, launchChromium, PHONE, settled, sidewaysOverflow } from "../helpers/browser";
import { png } from "../helpers/files";
import { buildMiniApp } from "../helpers/mini-app-build";
import type { TestServer } from "../helpers/test-server";
import {
  COMMUNE,
  completed,
  filePostal,
  NO_POSTAL_PROCEDURE,
  POSTAL_PROCEDURE,
  postalOf,
  settle,
  startPostalServer,
} from "../postal/helpers";

/**
 * The citizen's postal screens (issue 15), end to end in Chromium at 390×844 against a real test server in offline
 * mode, whose post is the in-process test post (moved by the test: advance, fail, deliver): a pick-up and the result
 * by post asked in the wizard, the parcel's steps on the dossier page, a failed delivery and the choice to deliver
 * again, and a procedure the post may not carry. Every screen is also looked at with Android's largest text.
 * Screenshots go to /tmp (postal-*.png).
 */
const SCREENS = process.env.POSTAL_SCREENS ?? "/tmp";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(SCREENS, { recursive: true });
  const miniAppDist = await buildMiniApp();
  server = await startPostalServer({ miniAppDist });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A phone signed in as the development identity `zaloId`, with Android's largest text when asked; `seed`: storage. */
async function phone(
  zaloId: string,
  options: { large?: boolean; seed?: Record<string, string> } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ ...PHONE, locale: "vi-VN" });
  await context.addInitScript(
    ([id, css, seed]) => {
      if (!localStorage.getItem("qn.dev-user")) localStorage.setItem("qn.dev-user", id as string);
      for (const [key, value] of Object.entries(seed as Record<string, string>)) {
        if (!localStorage.getItem(key)) localStorage.setItem(key, value);
      }
      if (css) {
        document.addEventListener("DOMContentLoaded", () => {
          const style = document.createElement("style");
          style.textContent = css as string;
          document.head.append(style);
        });
      }
    },
    [zaloId, options.large ? LARGE_TEXT_CSS : "", options.seed ?? {}] as const,
  );
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (error) => {
    throw error;
  });
  return { context, page };
}

/** The whole screen (the page scrolls inside zmp-ui's page: the viewport grows to its height for the picture). */
async function shot(page: Page, name: string) {
  await settled(page);
  const height = await page.evaluate(() => document.querySelector(".zaui-page")?.scrollHeight ?? 0);
  const viewport = page.viewportSize() ?? PHONE.viewport;
  if (height > viewport.height) await page.setViewportSize({ width: viewport.width, height });
  await page.screenshot({ path: path.join(SCREENS, `postal-${name}.png`) });
  await page.setViewportSize(viewport);
}

/** One part of the screen at the phone's own size (the whole screens are tall): to look at closely. */
async function closeUp(page: Page, part: Locator, name: string) {
  await settled(page);
  // As tall as the page, so that nothing scrolls under the top bar while the part is taken.
  const height = await page.evaluate(() => document.querySelector(".zaui-page")?.scrollHeight ?? 0);
  const viewport = page.viewportSize() ?? PHONE.viewport;
  if (height > viewport.height) await page.setViewportSize({ width: viewport.width, height });
  await part.screenshot({ path: path.join(SCREENS, `postal-${name}.png`) });
  await page.setViewportSize(viewport);
}

/** Nothing sticks out sideways, and every button and field of `scope` is at least 44 px high (a finger's tap). */
async function fits(page: Page, scope: Locator) {
  await settled(page);
  expect(await sidewaysOverflow(page)).toEqual([]);
  const small = await scope
    .locator("button:visible, select:visible, input:not([type=radio]):not([type=checkbox]):visible")
    .evaluateAll((els) =>
      els
        .map((el) => ({ el, box: el.getBoundingClientRect() }))
        .filter(({ box }) => box.height < 44)
        .map(
          ({ el, box }) =>
            `${el.tagName.toLowerCase()} "${(el.textContent ?? "").trim().slice(0, 30)}" ${box.height}px`,
        ),
    );
  expect(small).toEqual([]);
}

/** The dossier page's postal section, after a fresh load. */
async function postalSection(page: Page, code: string): Promise<Locator> {
  await page.goto(`${server.url}/?dossier=${encodeURIComponent(code)}`);
  const section = page.getByRole("region", { name: "Bưu chính công ích" });
  await section.waitFor();
  return section;
}

const card = (section: Locator, title: string) => section.getByRole("article", { name: title });
const chip = (c: Locator) => c.locator(".charge__head .state-chip");

async function waybillOf(token: string, code: string, kind: "pickup" | "delivery"): Promise<string> {
  const order = (await postalOf(server, token, code)).orders.find((o) => o.kind === kind);
  expect(order?.waybill, JSON.stringify(order)).toMatch(/^[A-Z0-9]{6,20}$/);
  return order?.waybill ?? "";
}

/** The wizard's first three steps for Nguyễn Văn An in Phường Hà Tu, with a photo of every required paper. */
async function wizardToDelivery(page: Page, procedureCode: string) {
  await page.goto(`${server.url}/?procedure=${procedureCode}`);
  await page.getByRole("button", { name: "Nộp hồ sơ trực tuyến" }).click();
  await settled(page);
  await page.getByLabel("Họ và tên").fill("Nguyễn Văn An");
  await page.getByLabel("Số định danh cá nhân (số căn cước, 12 chữ số)").fill("022090001234");
  await page.getByLabel("Xã, phường nơi cư trú").selectOption(COMMUNE);
  await page.getByLabel("Địa chỉ (số nhà, thôn, tổ)").fill("Số 5, tổ 3, khu 4");
  await page.getByRole("button", { name: "Tiếp tục" }).click();
  await page.getByLabel("Nội dung đề nghị").fill("Đề nghị giải quyết hồ sơ.");
  await page.getByRole("button", { name: "Tiếp tục" }).click();
  const documents = page.locator(".checklist__item").filter({ hasText: "Bắt buộc" });
  await documents.first().waitFor();
  for (let i = 0; i < (await documents.count()); i++) {
    const chooser = page.waitForEvent("filechooser");
    await documents
      .nth(i)
      .getByRole("button", { name: /^Chọn từ thư viện/ })
      .click();
    await (await chooser).setFiles([{ name: `giay-to-${i}.png`, mimeType: "image/png", buffer: png(900 + i) }]);
  }
  await page.getByRole("button", { name: "Tiếp tục" }).click();
  await page.getByRole("region", { name: "Nhận kết quả" }).waitFor();
}

describe("the citizen's public postal service in the mini-app, end to end in Chromium at 390×844", () => {
  it("when a citizen asks in the wizard for a pick-up at home and the result by post, then the charges show before filing and the dossier page follows the post to Bưu điện đã lấy hồ sơ gốc", {
    timeout: 120_000,
  }, async () => {
    const zaloId = "e2e-postal-an";
    const { page, context } = await phone(zaloId);
    await wizardToDelivery(page, POSTAL_PROCEDURE);
    const step = page.getByRole("region", { name: "Nhận kết quả" });

    // The result by post, with its charge before anything is confirmed, to the applicant's address in one tap.
    await step.getByRole("radio", { name: /^Nhận qua bưu điện/ }).check();
    await step.getByText("Cước chuyển phát 25.000 đ + phí thu hộ 5.000 đ, trả khi nhận: 30.000 đ").waitFor();
    await step.getByRole("button", { name: "Dùng địa chỉ người nộp" }).first().click();
    expect(await step.getByRole("textbox", { name: "Người nhận", exact: true }).inputValue()).toBe("Nguyễn Văn An");
    expect(await step.getByLabel("Địa chỉ nhận").inputValue()).toBe("Số 5, tổ 3, khu 4");
    expect(await step.getByLabel("Xã, phường nhận").inputValue()).toBe(COMMUNE);
    await step.getByLabel("Số điện thoại người nhận").fill("0912345678");

    // The pick-up: its own choice, the applicant's address, a working day in Vietnamese, the half-day, the charge.
    const pickup = page.getByRole("region", { name: "Hồ sơ gốc" });
    await pickup.getByText("Cước thu gom 25.000 đ, trả cho nhân viên bưu điện khi đến lấy").waitFor();
    await pickup.getByRole("checkbox", { name: /Nhờ bưu điện đến lấy hồ sơ gốc tại nhà/ }).check();
    await pickup.getByRole("button", { name: "Dùng địa chỉ người nộp" }).click();
    expect(await pickup.getByLabel("Người giao hồ sơ").inputValue()).toBe("Nguyễn Văn An");
    expect(await pickup.getByLabel("Địa chỉ lấy hồ sơ (số nhà, thôn, tổ)").inputValue()).toBe("Số 5, tổ 3, khu 4");
    // Nothing chosen yet: the step says what is missing, under each field, and stays.
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    await pickup.getByText("Cần chọn ngày bưu điện đến lấy").waitFor();
    expect(await pickup.getByText("Cần chọn buổi bưu điện đến lấy").isVisible()).toBe(true);
    expect(await pickup.getByText("Số điện thoại di động không hợp lệ").isVisible()).toBe(true);
    await pickup.getByLabel("Số điện thoại người giao").fill("0912345678");
    const days = pickup.getByLabel("Ngày bưu điện đến lấy");
    const offered = (await days.locator("option").allTextContents()).slice(1);
    expect(offered.length).toBe(10);
    for (const day of offered)
      expect(day).toMatch(/^(Thứ Hai|Thứ Ba|Thứ Tư|Thứ Năm|Thứ Sáu|Thứ Bảy), \d{2}\/\d{2}\/\d{4}$/);
    await days.selectOption({ label: offered[1] ?? "" });
    await pickup.getByRole("radio", { name: "Buổi sáng (8:00–11:30)" }).check();
    await pickup.getByLabel("Ghi chú cho bưu điện (không bắt buộc)").fill("Gọi trước 30 phút");
    await expect.poll(() => pickup.locator(".field__error").count()).toBe(0);
    await fits(page, step);
    await shot(page, "01-wizard-nhan-ket-qua");
    await closeUp(page, pickup, "01b-wizard-ho-so-goc");
    const draft = await page.evaluate((key) => localStorage.getItem(key), `draft:${POSTAL_PROCEDURE}`);
    expect(JSON.parse(draft ?? "{}")).toMatchObject({ pickup: true, pickupSlot: "morning", delivery: "post" });

    // Android's largest text: the same step, from the draft kept on the device.
    {
      const large = await phone(`${zaloId}-large`, {
        large: true,
        seed: { [`draft:${POSTAL_PROCEDURE}`]: draft ?? "" },
      });
      await large.page.goto(`${server.url}/?procedure=${POSTAL_PROCEDURE}`);
      await large.page.getByRole("button", { name: "Nộp hồ sơ trực tuyến" }).click();
      const again = large.page.getByRole("region", { name: "Hồ sơ gốc" });
      await again.getByLabel("Ngày bưu điện đến lấy").waitFor();
      expect(await again.getByLabel("Ngày bưu điện đến lấy").locator("option:checked").textContent()).toBe(offered[1]);
      await shot(large.page, "02-wizard-nhan-ket-qua-chu-lon");
      await fits(large.page, large.page.getByRole("region", { name: "Nhận kết quả" }));
      await large.context.close();
    }

    // The review shows both, with their charges; then the dossier is filed with the pick-up.
    await page.getByRole("button", { name: "Tiếp tục" }).click();
    const review = page.getByRole("region", { name: "Xem lại hồ sơ" });
    await review.getByText("Bưu điện đến lấy hồ sơ gốc").waitFor();
    expect(await review.getByText(`${offered[1]}, Buổi sáng (8:00–11:30)`).isVisible()).toBe(true);
    expect(await review.getByText("Cước thu gom 25.000 đ, trả cho nhân viên bưu điện khi đến lấy").isVisible()).toBe(
      true,
    );
    expect(
      await review.getByText("Cước chuyển phát 25.000 đ + phí thu hộ 5.000 đ, trả khi nhận: 30.000 đ").isVisible(),
    ).toBe(true);
    expect(await review.getByText("Ghi chú: Gọi trước 30 phút").isVisible()).toBe(true);
    await fits(page, review);
    await shot(page, "03-wizard-xem-lai");
    await page.getByRole("button", { name: "Nộp hồ sơ" }).click();
    await page.getByRole("heading", { name: "Hồ sơ đã được gửi" }).waitFor();
    const code = (await page.locator(".receipt__code").textContent()) ?? "";
    expect(code).toMatch(/^06652\.H49-\d{6}-\d{4}$/);

    // The dossier page: the pick-up order, waiting for the post, and the result to come by post.
    const token = await citizen(server, zaloId);
    let section = await postalSection(page, code);
    const order = card(section, "Bưu điện đến lấy hồ sơ gốc");
    await order.waitFor();
    expect(await order.getByText(`${offered[1]}, Buổi sáng (8:00–11:30)`).isVisible()).toBe(true);
    expect(await order.getByText("25.000 đ, trả cho nhân viên bưu điện khi đến lấy").isVisible()).toBe(true);
    expect(await section.getByText(/^Kết quả sẽ được gửi qua bưu điện tới Nguyễn Văn An/).isVisible()).toBe(true);
    // Nothing more to ask: a pick-up is under way and the result already goes by post.
    expect(await section.getByRole("button", { name: "Nhờ bưu điện đến lấy hồ sơ gốc" }).count()).toBe(0);
    expect(await section.getByRole("button", { name: "Nhận kết quả qua bưu điện" }).count()).toBe(0);

    // The post accepts the order (a waybill), then the postman picks the originals up.
    await settle(server);
    const waybill = await waybillOf(token, code, "pickup");
    section = await postalSection(page, code);
    await expect
      .poll(() => chip(card(section, "Bưu điện đến lấy hồ sơ gốc")).textContent())
      .toBe("Bưu điện đã nhận yêu cầu lấy hồ sơ");
    expect(await section.getByText(waybill, { exact: true }).isVisible()).toBe(true);
    server.deps.postalSandbox?.advance(waybill);
    await settle(server);
    section = await postalSection(page, code);
    const picked = card(section, "Bưu điện đến lấy hồ sơ gốc");
    await expect.poll(() => chip(picked).textContent()).toBe("Bưu điện đã lấy hồ sơ gốc");
    // The parcel's steps, newest first, with the postman's note.
    expect(await picked.locator(".timeline__title").allTextContents()).toEqual([
      "Bưu điện đã lấy hồ sơ gốc",
      "Bưu điện đã nhận yêu cầu lấy hồ sơ",
      "Đang gửi yêu cầu tới bưu điện",
    ]);
    expect(await picked.getByText("Bưu tá đã lấy hồ sơ tại địa chỉ người gửi").isVisible()).toBe(true);
    await fits(page, section);
    await shot(page, "04-ho-so-da-lay-ho-so-goc");
    await context.close();
  });

  it("when the official dispatches the result and the post fails to deliver it, then the citizen chooses Giao lại and the page shows Đã giao kết quả, the proof and Đã trả kết quả", {
    timeout: 120_000,
  }, async () => {
    const zaloId = "e2e-postal-binh";
    const token = await citizen(server, zaloId, "Nguyễn Văn An");
    const dossier = await filePostal(server, token, { resultByPost: false });
    const { page, context } = await phone(zaloId);

    // Asked later from the dossier page: the result by post, its charge, a mistake shown in place, then confirmed.
    let section = await postalSection(page, dossier.code);
    await section.getByRole("button", { name: "Nhận kết quả qua bưu điện" }).click();
    const form = section.getByRole("region", { name: "Nhận kết quả qua bưu điện" });
    await form.getByText("Cước chuyển phát 25.000 đ + phí thu hộ 5.000 đ, trả khi nhận: 30.000 đ").waitFor();
    await form.getByRole("button", { name: "Xác nhận nhận qua bưu điện" }).click();
    await form.getByText("Cần nhập họ tên người nhận").waitFor();
    await form.getByRole("button", { name: "Dùng địa chỉ người nộp" }).click();
    await form.getByLabel("Số điện thoại người nhận").fill("0912 345 678");
    await fits(page, section);
    await shot(page, "05-ho-so-yeu-cau-nhan-qua-buu-dien");
    await form.getByRole("button", { name: "Xác nhận nhận qua bưu điện" }).click();
    await section.getByText(/^Kết quả sẽ được gửi qua bưu điện tới Nguyễn Văn An/).waitFor();
    expect(await section.getByRole("button", { name: "Nhận kết quả qua bưu điện" }).count()).toBe(0);

    // The official side, through the API: the result is ready, and goes to the post.
    const hcc = await completed(server, dossier.code);
    const dispatched = await call(server, "POST", "/api/officials/postal/dispatch", {
      token: hcc.token,
      json: { codes: [dossier.code] },
    });
    expect(dispatched.status, JSON.stringify(dispatched.body)).toBe(200);
    expect(dispatched.body).toMatchObject([{ code: dossier.code, outcome: "created" }]);
    await settle(server);
    const waybill = await waybillOf(token, dossier.code, "delivery");
    const post = server.deps.postalSandbox;
    if (!post) throw new Error("the test server has no test post");

    // In transit: the card has the waybill and what is collected on delivery.
    post.advance(waybill);
    post.advance(waybill);
    await settle(server);
    section = await postalSection(page, dossier.code);
    let delivery = card(section, "Nhận kết quả qua bưu điện");
    await expect.poll(() => chip(delivery).textContent()).toBe("Kết quả đang được chuyển phát");
    expect(await delivery.getByText(waybill, { exact: true }).isVisible()).toBe(true);
    expect(await delivery.getByText("30.000 đ (cước chuyển phát 25.000 đ + phí thu hộ 5.000 đ)").isVisible()).toBe(
      true,
    );

    // The delivery fails: the reason, and three choices.
    post.fail(waybill, "Không có người nhận");
    await settle(server);
    section = await postalSection(page, dossier.code);
    delivery = card(section, "Nhận kết quả qua bưu điện");
    await expect.poll(() => chip(delivery).textContent()).toBe("Giao kết quả không thành công");
    const choices = delivery.getByRole("region", { name: "Bưu điện giao kết quả không thành công" });
    expect(await choices.getByText("Lý do: Không có người nhận").isVisible()).toBe(true);
    for (const name of ["Giao lại", "Giao tới địa chỉ khác", "Nhận tại bộ phận một cửa"]) {
      expect(await choices.getByRole("button", { name, exact: true }).isVisible()).toBe(true);
    }
    await fits(page, section);
    await shot(page, "06-ho-so-giao-khong-thanh-cong");
    await closeUp(page, delivery, "06b-the-giao-khong-thanh-cong");
    {
      const large = await phone(zaloId, { large: true });
      const big = await postalSection(large.page, dossier.code);
      await big.getByRole("button", { name: "Giao tới địa chỉ khác" }).waitFor();
      await shot(large.page, "07-ho-so-giao-khong-thanh-cong-chu-lon");
      await fits(large.page, big);
      await big.getByRole("button", { name: "Giao tới địa chỉ khác" }).click();
      await big.getByLabel("Người nhận mới").waitFor();
      await fits(large.page, big);
      await shot(large.page, "08-ho-so-dia-chi-khac-chu-lon");
      await closeUp(
        large.page,
        big.getByRole("region", { name: "Bưu điện giao kết quả không thành công" }),
        "08b-dia-chi-khac-chu-lon",
      );
      await large.context.close();
    }

    // Each choice is confirmed first and can be left: another address opens a form; the counter names the unit.
    await choices.getByRole("button", { name: "Giao tới địa chỉ khác" }).click();
    await choices.getByLabel("Người nhận mới").waitFor();
    await choices.getByRole("button", { name: "Xác nhận địa chỉ mới" }).click();
    await choices.getByText("Cần nhập họ tên người nhận").waitFor();
    await choices.getByRole("button", { name: "Quay lại" }).click();
    await choices.getByRole("button", { name: "Nhận tại bộ phận một cửa" }).click();
    await choices.getByText(`mang theo giấy hẹn hoặc mã hồ sơ ${dossier.code}`, { exact: false }).waitFor();
    await choices.getByRole("button", { name: "Quay lại" }).click();
    await choices.getByRole("button", { name: "Giao lại", exact: true }).click();
    await choices.getByText(/^Bưu điện sẽ giao lại kết quả tới Nguyễn Văn An/).waitFor();
    await shot(page, "09-ho-so-xac-nhan-giao-lai");
    await choices.getByRole("button", { name: "Xác nhận giao lại" }).click();
    await delivery.getByText("Bạn đã chọn: Giao lại").waitFor();
    expect(await delivery.getByRole("button", { name: "Giao lại", exact: true }).count()).toBe(0);

    // The post is told, tries again and delivers: the proof, and the dossier's result handed over.
    await settle(server);
    post.deliver(waybill, "Nguyễn Văn An");
    await settle(server);
    section = await postalSection(page, dossier.code);
    delivery = card(section, "Nhận kết quả qua bưu điện");
    await expect.poll(() => chip(delivery).textContent()).toBe("Đã giao kết quả");
    expect(
      await delivery.getByText(/^Người nhận: Nguyễn Văn An, lúc \d{2}:\d{2} \d{2}\/\d{2}\/\d{4}$/).isVisible(),
    ).toBe(true);
    expect(await delivery.locator(".timeline__title").first().textContent()).toBe("Đã giao kết quả");
    expect(await delivery.locator(".timeline__title").allTextContents()).toContain("Giao kết quả không thành công");
    await page.locator(".detail .state-chip").getByText("Đã trả kết quả").waitFor();
    await fits(page, section);
    await shot(page, "10-ho-so-da-giao-ket-qua");
    await closeUp(page, delivery, "10b-the-da-giao");
    {
      const large = await phone(zaloId, { large: true });
      await postalSection(large.page, dossier.code);
      await fits(large.page, large.page.getByRole("region", { name: "Bưu chính công ích" }));
      await shot(large.page, "11-ho-so-da-giao-ket-qua-chu-lon");
      await large.context.close();
    }
    await context.close();
  });

  it("when a citizen asks for a pick-up from the dossier page, then the day is chosen among the post's and the order appears", {
    timeout: 60_000,
  }, async () => {
    const zaloId = "e2e-postal-chi";
    const token = await citizen(server, zaloId, "Nguyễn Văn An");
    const dossier = await filePostal(server, token, { resultByPost: false });
    const { page, context } = await phone(zaloId);
    const section = await postalSection(page, dossier.code);
    await section.getByRole("button", { name: "Nhờ bưu điện đến lấy hồ sơ gốc" }).click();
    const form = section.getByRole("region", { name: "Nhờ bưu điện đến lấy hồ sơ gốc" });
    await form.getByText("Cước thu gom 25.000 đ, trả cho nhân viên bưu điện khi đến lấy").waitFor();
    await form.getByRole("button", { name: "Xác nhận hẹn lấy hồ sơ" }).click();
    await form.getByText("Cần chọn ngày bưu điện đến lấy").waitFor();
    await form.getByRole("button", { name: "Dùng địa chỉ người nộp" }).click();
    await form.getByLabel("Số điện thoại người giao").fill("0912345678");
    const days = form.getByLabel("Ngày bưu điện đến lấy");
    const first = (await days.locator("option").allTextContents())[1] ?? "";
    await days.selectOption({ label: first });
    await form.getByRole("radio", { name: "Buổi chiều (13:30–17:00)" }).check();
    await fits(page, section);
    await shot(page, "12-ho-so-hen-lay-ho-so");
    await form.getByRole("button", { name: "Xác nhận hẹn lấy hồ sơ" }).click();
    const order = card(section, "Bưu điện đến lấy hồ sơ gốc");
    await order.waitFor();
    expect(await order.getByText(`${first}, Buổi chiều (13:30–17:00)`).isVisible()).toBe(true);
    expect(await section.getByRole("button", { name: "Nhờ bưu điện đến lấy hồ sơ gốc" }).count()).toBe(0);
    const postal = await postalOf(server, token, dossier.code);
    expect(postal.orders.map((o) => o.kind)).toEqual(["pickup"]);
    expect(postal.pickupBlocked).toBe("Đã có yêu cầu bưu điện đến lấy hồ sơ đang thực hiện");
    await context.close();
  });

  it("when a procedure may not go by post (1.004222), then the wizard says so and offers neither the post nor a pick-up", {
    timeout: 90_000,
  }, async () => {
    const { page, context } = await phone("e2e-postal-dung");
    await wizardToDelivery(page, NO_POSTAL_PROCEDURE);
    const step = page.getByRole("region", { name: "Nhận kết quả" });
    await step.getByText("Thủ tục này không thực hiện qua bưu chính công ích", { exact: false }).waitFor();
    // Only the counter is left (the procedure is not level 4: no electronic result either).
    expect(await step.getByRole("radio").count()).toBe(1);
    expect(await step.getByRole("radio", { name: /^Nhận tại bộ phận một cửa/ }).isChecked()).toBe(true);
    expect(await step.getByRole("radio", { name: /bưu điện/ }).count()).toBe(0);
    expect(await step.getByRole("checkbox").count()).toBe(0);
    expect(await step.getByText("Nhờ bưu điện đến lấy hồ sơ gốc tại nhà").count()).toBe(0);
    await fits(page, step);
    await shot(page, "13-wizard-khong-qua-buu-chinh");
    // The API agrees: no quote, the reason.
    const quote = await call(server, "GET", `/api/postal/quote?procedure=${NO_POSTAL_PROCEDURE}&commune=${COMMUNE}`);
    expect(quote.body).toMatchObject({ allowed: false, quote: null, pickupDates: [] });
    await context.close();
  });
});
