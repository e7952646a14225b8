// Plain-text descriptions of exchanges, shared by findings and reports.
import { bodyRecordedWhole, type Exchange, type SentRequest, type TransportFailure } from "../client/protocol-client.js";
import type { FindingInput } from "./result.js";

const bodyPreviewLength = 300;

function preview(text: string, limit = bodyPreviewLength): string {
  const oneLine = text
    .replace(/\r?\n$/, "")
    .replace(/\r/g, "\\r")
    .replace(/\n/g, "\\n")
    // Padding that makes a body oversized says more as a count than as a screenful.
    .replace(/(.)\1{31,}/g, (run, char: string) => `${char.repeat(8)}…(${run.length} × ${char})`);
  return oneLine.length > limit ? `${oneLine.slice(0, limit)}… (${oneLine.length} characters)` : oneLine;
}

/** "POST /wallet {…}" with the Content-Type when one was sent. */
export function describeRequest(request: SentRequest): string {
  const contentType = request.headers["content-type"];
  const header = contentType ? ` [Content-Type: ${contentType}]` : "";
  if (request.body === undefined) return `${request.method} ${request.path}${header}`;
  // A body recorded only in part already ends with its size.
  const long = request.bodyBytes !== undefined && request.bodyBytes > bodyPreviewLength;
  const size = long && bodyRecordedWhole(request) ? ` (${request.bodyBytes} bytes)` : "";
  const body = request.body === "" ? "(empty body)" : preview(request.body);
  return `${request.method} ${request.path}${header} ${body}${size}`;
}

const untrustedCertificate = "the server's TLS certificate is not trusted: give its CA with --ca FILE, or accept any with --insecure";
const untrustedCertificateCodes = [
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
];

/** Says plainly why there is no answer: the server closed the connection, or did not answer in time. */
export function describeFailure(failure: TransportFailure, timeoutMs?: number): string {
  if (failure.kind === "unreadable") return failure.message;
  if (failure.kind === "timeout") {
    if (failure.message.includes("body did not end")) return failure.message;
    const within = /within (\d+) ms/.exec(failure.message)?.[1] ?? (timeoutMs !== undefined ? String(timeoutMs) : undefined);
    return within ? `no answer within ${within} ms` : "no answer in time";
  }
  const code = /^([A-Z_]+):/.exec(failure.message)?.[1] ?? "";
  const plain: Record<string, string> = {
    UND_ERR_SOCKET: "the server closed the connection",
    UND_ERR_CLOSED: "the server closed the connection",
    ECONNRESET: "the server reset the connection",
    EPIPE: "the server closed the connection while the request was being sent",
    ECONNREFUSED: "connection refused",
    ENOTFOUND: "the host name does not resolve",
    EAI_AGAIN: "the host name does not resolve",
    EHOSTUNREACH: "the host is unreachable",
    ENETUNREACH: "the network is unreachable",
    ...Object.fromEntries(untrustedCertificateCodes.map((c) => [c, untrustedCertificate])),
  };
  const said = plain[code];
  return said ? `${said} (${failure.message})` : `no answer: ${failure.message}`;
}

/** Headers that say why a server answered 5xx (and when to try again), shown with it. */
const serverErrorHeaders = ["Content-Type", "Retry-After"];

/** "409 {…}", "500 [Content-Type: text/plain] database is locked", or why nothing came back. */
export function describeResponse(exchange: Exchange): string {
  if (!exchange.response) return exchange.failure ? describeFailure(exchange.failure) : "no answer";
  const { status, text, headers } = exchange.response;
  const explained = status >= 500 ? serverErrorHeaders.filter((name) => headers[name.toLowerCase()] !== undefined) : [];
  const head = [String(status), ...explained.map((name) => `[${name}: ${headers[name.toLowerCase()]}]`)].join(" ");
  return text === "" ? `${head} (empty body)` : `${head} ${preview(text)}`;
}

/** "POST /wallet -> 409": the request line and the outcome. */
export function describeExchangeLine(exchange: Exchange): string {
  const outcome = exchange.response ? String(exchange.response.status) : describeResponse(exchange);
  return `${exchange.request.method} ${exchange.request.path} -> ${outcome}`;
}

/** What a finding about one exchange says besides the exchange itself. */
export interface ExchangeFindingAbout {
  requirement: string;
  message: string;
  expected: string;
}

/**
 * The finding one exchange shows: what was sent, what came back and what the
 * requirement expected; `more` are further exchanges that show it.
 */
export function exchangeFinding(exchange: Exchange, about: ExchangeFindingAbout, ...more: Exchange[]): FindingInput {
  return {
    requirement: about.requirement,
    message: about.message,
    sent: describeRequest(exchange.request),
    received: describeResponse(exchange),
    expected: about.expected,
    exchanges: [exchange, ...more],
  };
}
