// Writing answers: every body is JSON sent as application/json (HTTP-3).
import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { reasonPhrase, type HandlerResult } from "./responses.js";

export const jsonContentType = "application/json; charset=utf-8";

export function sendResult(response: ServerResponse, result: HandlerResult, closeConnection = false): void {
  const text = JSON.stringify(result.body);
  // The status line uses the same phrase as the error body.
  response.writeHead(result.status, reasonPhrase(result.status), {
    "content-type": jsonContentType,
    "content-length": Buffer.byteLength(text),
    // Answers carry tokens and wallets: no cache may keep them.
    "cache-control": "no-store",
    ...(closeConnection ? { connection: "close" } : {}),
    ...result.headers,
  });
  response.end(text);
}

/**
 * Answers a request that node's HTTP parser refused (bad request line,
 * headers too large, timeout) with a JSON error like every other 4xx, where
 * node's default would send an empty body.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A response already begun on this socket cannot be followed by another.
  const inProgress = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === "ECONNRESET" || !socket.writable || inProgress?.headersSent) {
    socket.destroy();
    return;
  }
  const status =
    error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  const text = JSON.stringify({ error: reasonPhrase(status) });
  socket.end(
    `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n` +
      `content-type: ${jsonContentType}\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}
