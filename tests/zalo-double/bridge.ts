/**
 * Loaded first in the test build (before the app's entry): makes the app believe it runs inside Zalo
 * (`window.ZJSBridge`, which zalo.ts checks) and holds the double's state. Never part of a shipped bundle.
 */
import { DEFAULT_SCRIPT, type ZaloDoubleState, type ZaloScript } from "./script";

declare global {
  interface Window {
    ZJSBridge?: unknown;
    __zaloDouble?: ZaloDoubleState;
    __zaloDoubleScript?: Partial<ZaloScript>;
  }
}

window.ZJSBridge = { double: "qn-zalo-double" };
const listeners: ZaloDoubleState["listeners"] = {};
const calls: ZaloDoubleState["calls"] = [];
window.__zaloDouble = {
  script: { ...DEFAULT_SCRIPT, ...window.__zaloDoubleScript },
  calls,
  listeners,
  emit: (event, data) => {
    calls.push({ api: `event:${event}`, args: data });
    for (const listener of [...(listeners[event] ?? [])]) listener(data);
  },
};
