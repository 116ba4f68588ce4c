/**
 * A fake of Zalo's Graph API in its own process, for the in-Zalo end-to-end test: the bot server verifies access
 * tokens and exchanges phone tokens with it over real HTTP, as it does with graph.zalo.me. It knows the same users,
 * phone tokens and app secret as the msw handlers (tests/mocks/zalo-graph.ts), and answers as Graph does: HTTP 200
 * with a non-zero `error` on refusal. Prints `listening <port>` when ready; every request is logged to stderr.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ZALO_APP_SECRET, ZALO_PHONES, ZALO_USERS } from "../mocks/zalo-graph";

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://graph");
  const header = (name: string) => String(req.headers[name] ?? "");
  process.stderr.write(`${req.method} ${url.pathname}\n`);
  const json = (body: unknown) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const user = ZALO_USERS[header("access_token")];
  if (req.method === "GET" && url.pathname === "/v2.0/me") {
    if (!user) return json({ error: -216, message: "Access token is invalid" });
    return json({ id: user.id, name: user.name, picture: { data: { url: "https://s120.avatar.zalo.test/a.jpg" } } });
  }
  if (req.method === "GET" && url.pathname === "/v2.0/me/info") {
    if (header("secret_key") !== ZALO_APP_SECRET) return json({ error: -124, message: "Invalid secret key" });
    if (!user) return json({ error: -216, message: "Access token is invalid" });
    const number = ZALO_PHONES[header("code")];
    if (!number) return json({ error: -2001, message: "Invalid code" });
    return json({ error: 0, message: "Success", data: { number } });
  }
  res.writeHead(404).end();
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
