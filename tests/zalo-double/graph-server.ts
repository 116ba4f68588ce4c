/**
 * A fake of Zalo's Graph API in its own process, for the in-Zalo end-to-end test: the bot server verifies access
 * tokens and exchanges phone tokens with it over real HTTP, as it does with graph.zalo.me. Its answers are the msw
 * handlers' own (`graphAnswer` in tests/mocks/zalo-graph.ts): HTTP 200 with a non-zero `error` on refusal.
 * Prints `listening <port>` when ready; every request is logged to stderr.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { graphAnswer } from "../mocks/zalo-graph";

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://graph");
  process.stderr.write(`${req.method} ${url.pathname}\n`);
  const body = req.method === "GET" ? graphAnswer(url.pathname, (name) => String(req.headers[name] ?? "")) : undefined;
  if (!body) return res.writeHead(404).end();
  res.writeHead(200, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
