import { type Server, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { ErrorCode } from "@qn/shared";

/**
 * What Node's HTTP parser refuses before Express sees the request (an address or headers over 16 KB, bytes that are
 * not HTTP) is answered in the one error shape too, instead of Node's bare `400`/`431` with no body, so that a client
 * can read what went wrong like any other error. Called by whatever listens: the server and the tests' server.
 */
export function answerClientErrors(server: Server): Server {
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A connection the client dropped, or one already answered: nothing to say to it.
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
    const [status, code, message]: [number, ErrorCode, string] = tooLarge
      ? [431, "HEADERS_TOO_LARGE", "Địa chỉ hoặc phần đầu của yêu cầu quá dài."]
      : [400, "MALFORMED_REQUEST", "Yêu cầu không đúng định dạng HTTP."];
    const body = JSON.stringify({ error: { code, message } });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}
