import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A fake Zalo (OAuth, Open API messages, ZNS) on a real loopback port, for tests and benchmarks that run the bot
 * server in its own process (msw only intercepts the process it runs in). It accepts every token, answers like Zalo
 * and counts what each recipient received.
 */
export type FakeZalo = {
  url: string;
  received: Map<string, number>;
  total: () => number;
  close: () => Promise<void>;
};

export async function startFakeZalo(options: { delayMs?: number } = {}): Promise<FakeZalo> {
  const received = new Map<string, number>();
  let count = 0;
  let generation = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const reply = (body: unknown) => {
        const send = () => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        };
        if (options.delayMs) setTimeout(send, options.delayMs);
        else send();
      };
      const text = Buffer.concat(chunks).toString("utf8");
      if (req.url === "/__stats") return reply({ total: count, distinct: received.size });
      if (req.url?.startsWith("/v4/oa/access_token")) {
        generation++;
        return reply({
          access_token: `fake-access-${generation}`,
          refresh_token: `fake-refresh-${generation}`,
          expires_in: "90000",
        });
      }
      if (req.url?.startsWith("/v3.0/oa/message/") || req.url?.startsWith("/message/template")) {
        let recipient = "?";
        try {
          const body = JSON.parse(text) as { recipient?: { user_id?: string }; phone?: string };
          recipient = body.recipient?.user_id ?? body.phone ?? "?";
        } catch {
          // counted as "?"
        }
        received.set(recipient, (received.get(recipient) ?? 0) + 1);
        count++;
        return reply({ error: 0, message: "Success", data: { message_id: `fake-${count}`, user_id: recipient } });
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    total: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// Run on its own (`tsx bench/fake-zalo.ts`) for benchmarks that keep the fake Zalo out of the measured process.
if (process.argv[1]?.endsWith("fake-zalo.ts")) {
  void startFakeZalo().then((fake) => console.log(`URL ${fake.url}`));
}
