import { HttpResponse, http } from "msw";
import { SandboxPost, type SandboxPostOptions } from "../../bot-server/src/modules/postal/sandbox-post";

/**
 * A fake public postal service (docs/postal-api/openapi.json; the client is
 * bot-server/src/clients/postal/postal.client.ts) for msw tests: the offline mode's SandboxPost answering at a fixed
 * base URL, so that the tests and `npm start` meet the same post.
 *
 * Usage:
 *     const fake = fakePost();                        // or fakePost({ baseUrl, token, now, stateFile, … })
 *     mockServer.use(...fake.handlers);               // in beforeEach: msw resets handlers after each test
 *     new PostalClient({ ...fake.clientOptions, timeoutMs: 2_000 }, logger)
 *     fake.post.advance(waybill) / fail / deliver / returnToSender / down(true) / slowCreate(ms) / requests
 *     await fake.post.flush()                         // the callbacks on their way have arrived
 *     fake.callbacks                                  // every callback the post sent, as received: {headers, body}
 *     fake.failNext("create", () => new HttpResponse("Bad gateway", { status: 502 }))
 *     fake.failNext("create", () => …, { afterHandling: true })   // the post did it, then the answer was lost
 *     await fake.post.close()                         // in afterEach: no callback outlives its test
 *
 * The callbacks go to POST_CALLBACK_URL (https://bot.test/postal/callback), which a handler here receives (200
 * `{received: true}`) and records; pass `callbackUrl` for another receiver, or null for none.
 */

export const POST_URL = "https://buudien.test";
export const POST_TOKEN = "post-token-for-tests";
export const POST_CALLBACK_SECRET = "post-callback-secret-for-tests";
export const POST_CALLBACK_URL = "https://bot.test/postal/callback";
export const POST_PROOF_URL = "https://buudien.test/proof";

export type PostOperation = "create" | "find" | "track" | "cancel" | "redeliver";

export type ReceivedCallback = { headers: Record<string, string>; body: Buffer };

export type FakePostOptions = Partial<SandboxPostOptions> & { baseUrl?: string };

function headersOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

function operationOf(method: string, pathname: string): PostOperation | null {
  if (pathname === "/api/orders") return method === "POST" ? "create" : method === "GET" ? "find" : null;
  const action = /^\/api\/orders\/[^/]+\/(tracking|cancel|redeliver)$/.exec(pathname)?.[1];
  if (action === "tracking") return "track";
  return action === "cancel" || action === "redeliver" ? action : null;
}

export function fakePost(options: FakePostOptions = {}) {
  const baseUrl = (options.baseUrl ?? POST_URL).replace(/\/+$/, "");
  const basePath = new URL(baseUrl).pathname.replace(/\/+$/, "");
  const token = options.token ?? POST_TOKEN;
  const callbackSecret = options.callbackSecret ?? POST_CALLBACK_SECRET;
  const callbackUrl = options.callbackUrl === undefined ? POST_CALLBACK_URL : options.callbackUrl;
  const post = new SandboxPost({
    proofBaseUrl: POST_PROOF_URL,
    ...options,
    token,
    callbackSecret,
    callbackUrl,
  });

  const failures = new Map<PostOperation, { response: () => Response; afterHandling: boolean }[]>();
  const callbacks: ReceivedCallback[] = [];

  /** The next call of `operation` gets `response` instead of the post's answer (after the post handled it, if so). */
  function failNext(operation: PostOperation, response: () => Response, options: { afterHandling?: boolean } = {}) {
    failures.set(operation, [
      ...(failures.get(operation) ?? []),
      { response, afterHandling: options.afterHandling ?? false },
    ]);
  }

  const handlers = [
    http.all(`${baseUrl}/api/*`, async ({ request }) => {
      const url = new URL(request.url);
      const relative = url.pathname.slice(basePath.length);
      const operation = operationOf(request.method, relative);
      const next = operation ? failures.get(operation)?.shift() : undefined;
      if (next && !next.afterHandling) return next.response();
      const result = await post.handle({
        method: request.method,
        path: `${relative}${url.search}`,
        headers: headersOf(request.headers),
        body: Buffer.from(await request.arrayBuffer()),
      });
      if (next) return next.response();
      return HttpResponse.json(result.body as Record<string, unknown>, { status: result.status });
    }),
    ...(callbackUrl === POST_CALLBACK_URL
      ? [
          http.post(POST_CALLBACK_URL, async ({ request }) => {
            callbacks.push({
              headers: headersOf(request.headers),
              body: Buffer.from(await request.arrayBuffer()),
            });
            return HttpResponse.json({ received: true });
          }),
        ]
      : []),
  ];

  /** The options the client needs to talk to this post (add timeoutMs, unitCodes, now…). */
  const clientOptions = { baseUrl, token, callbackSecret };

  return { post, handlers, clientOptions, failNext, callbacks };
}

export type FakePost = ReturnType<typeof fakePost>;
