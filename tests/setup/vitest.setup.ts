import { afterAll, afterEach, beforeAll } from "vitest";
import { mockServer } from "../mocks/server";

/**
 * Every test runs behind msw (STYLE.md habit 7): a request to an outside host that no handler answers fails the test.
 * Requests to the test's own server on localhost go through untouched.
 */
beforeAll(() => {
  mockServer.listen({
    onUnhandledRequest(request, print) {
      const { hostname } = new URL(request.url);
      if (hostname === "localhost" || hostname === "127.0.0.1" || hostname === "::1" || hostname === "[::1]") return;
      print.error();
    },
  });
});
afterEach(() => mockServer.resetHandlers());
afterAll(() => mockServer.close());

// A console.error during a test is a bug to look at, not noise to scroll past.
const originalError = console.error;
beforeAll(() => {
  console.error = (...args: unknown[]) => {
    originalError(...args);
    throw new Error(`console.error was called: ${args.map(String).join(" ")}`);
  };
});
afterAll(() => {
  console.error = originalError;
});
