// A curl command line that repeats an exchange by hand, for every failing
// exchange in every report. Headers the run added to every request
// (--header) are named with their values redacted; the TLS options the run
// used come along (--cacert, -k).
import type { Exchange } from "./protocol-client.js";
import { redacted } from "./connection.js";

export interface CurlContext {
  /** The server's base URL, path prefix included. */
  baseUrl: string;
  /** Names of the headers sent with every request; their values are never shown. */
  redactedHeaders?: readonly string[];
  /** The --ca file the run trusted. */
  caFile?: string;
  insecure?: boolean;
}


function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function curlCommand(exchange: Exchange, context: CurlContext): string {
  const { method, path, headers, body, bodyBytes } = exchange.request;
  const parts = ["curl", "-sS", "-i"];
  if (method === "HEAD") parts.push("--head");
  else if (method !== "GET" || body !== undefined) parts.push("-X", method);
  parts.push(quote(`${context.baseUrl.replace(/\/+$/, "")}${path}`));
  if (context.caFile !== undefined) parts.push("--cacert", quote(context.caFile));
  if (context.insecure) parts.push("-k");
  for (const [name, value] of Object.entries(headers)) parts.push("-H", quote(`${name}: ${value}`));
  for (const name of context.redactedHeaders ?? []) parts.push("-H", quote(`${name}: ${redacted}`));
  if (body === undefined) return parts.join(" ");
  if (bodyBytes === undefined || Buffer.byteLength(body) === bodyBytes) return [...parts, "--data-binary", quote(body)].join(" ");
  // A body too large to record is not repeated from a prefix: the command says so instead.
  return `${[...parts, "--data-binary", "@BODY_FILE"].join(" ")}  # BODY_FILE: the ${bodyBytes}-byte body, recorded only in part`;
}
