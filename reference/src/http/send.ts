// Writing answers: every body is JSON sent as application/json (HTTP-3).
import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { errorResult, reasonPhrase, type HandlerResult } from "./responses.js";

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
 * Answers on a bare socket, where no ServerResponse exists (a request node's
 * parser refused, an upgrade request), and ends the connection's writing side.
 */
export function endWithResult(socket: Duplex, result: HandlerResult): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const text = JSON.stringify(result.body);
  const headers = {
    "content-type": jsonContentType,
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    connection: "close",
    ...result.headers,
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(", ") : String(value)}\r\n`);
  socket.end(`HTTP/1.1 ${result.status} ${reasonPhrase(result.status)}\r\n${lines.join("")}\r\n${text}`);
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
  endWithResult(socket, errorResult(status));
}
