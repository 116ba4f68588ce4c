import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium, headless, with the flags these machines need (no background networking, no sandbox as root). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A mid-range phone: the viewport the mini-app is designed for. */
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/**
 * Waits until the page transition is over: zmp-ui keeps the old and the new screen in the DOM while animating.
 * One screen must stay alone for 150 ms, because the transition may not have begun yet when a click resolves
 * (a single check could pass on the old screen and let the next locator see both).
 */
export async function settled(page: import("playwright-core").Page): Promise<void> {
  const token = Math.random().toString(36);
  // A function, not a string: the app's Content-Security-Policy forbids evaluating strings.
  await page.waitForFunction((t) => {
    const w = window as unknown as { __settled?: { token: string; since: number | undefined } };
    if (w.__settled?.token !== t) w.__settled = { token: t, since: undefined };
    const state = w.__settled;
    if (document.querySelectorAll(".zaui-page").length !== 1) {
      state.since = undefined;
      return false;
    }
    state.since ??= performance.now();
    return performance.now() - state.since >= 150;
  }, token);
}

/** What Android's "font size: largest" does to a WebView: every text 130 % larger, boxes reflowing around it. */
export const LARGE_TEXT_CSS = "html { font-size: 130% !important; } body { font-size: 20.8px !important; }";

/** The elements of the current screen that stick out past the viewport's right edge (none on a screen that fits). */
export function sidewaysOverflow(page: import("playwright-core").Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return Array.from(document.querySelectorAll(".zaui-page *"))
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${(el.textContent ?? "").slice(0, 40)}`)
      .slice(0, 5);
  });
}
