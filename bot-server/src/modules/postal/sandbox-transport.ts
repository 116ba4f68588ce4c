import { type AxiosAdapter, AxiosError, AxiosHeaders, type AxiosResponse } from "axios";
import type { SandboxPost } from "./sandbox-post";

/**
 * Offline mode's test post, reached from the real postal client without a network hop: an axios adapter that hands
 * each request to `SandboxPost.handle` as the post's HTTP API would receive it (method, path with its query, headers,
 * raw body) and gives its answer back as the text the client parses. Everything above it — the wire mapping, the
 * Idempotency-Key, the errors — is the client's own, as with the real post.
 */
export function sandboxTransport(sandbox: SandboxPost): AxiosAdapter {
  return async (config) => {
    const url = new URL(config.url ?? "/", "http://post-sandbox.local");
    for (const [name, value] of Object.entries((config.params ?? {}) as Record<string, unknown>)) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    const headers = AxiosHeaders.from(config.headers as never).toJSON() as Record<string, string>;
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    const data = config.data;
    const body =
      data === undefined || data === null
        ? undefined
        : Buffer.from(typeof data === "string" ? data : JSON.stringify(data));
    if (body && !lower["content-type"]) lower["content-type"] = "application/json";
    let answer: { status: number; body: unknown };
    // axios leaves the time limit to its adapter: kept here as over the network, so that offline mode meets it too.
    let timer: NodeJS.Timeout | undefined;
    const limit = config.timeout
      ? new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new AxiosError(`timeout of ${config.timeout}ms exceeded`, AxiosError.ETIMEDOUT, config)),
            config.timeout,
          );
        })
      : null;
    try {
      const handled = sandbox.handle({
        method: (config.method ?? "get").toUpperCase(),
        path: `${url.pathname}${url.search}`,
        headers: lower,
        body,
      });
      answer = limit ? await Promise.race([handled, limit]) : await handled;
    } catch (error) {
      if (error instanceof AxiosError) throw error;
      throw new AxiosError(String(error), AxiosError.ERR_NETWORK, config);
    } finally {
      clearTimeout(timer);
    }
    const response: AxiosResponse = {
      data: JSON.stringify(answer.body),
      status: answer.status,
      statusText: String(answer.status),
      headers: new AxiosHeaders({ "content-type": "application/json" }),
      config,
    };
    return response;
  };
}
