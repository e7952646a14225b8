// How the suite reaches a server as it is deployed: behind a gateway that
// wants a header on every request, over HTTPS with a private CA (or any
// certificate), through the proxies the environment names. One dispatcher
// carries it all, so every client of a run (checks, walkthrough,
// interleavings, the probe) connects the same way; the api3 notification
// sockets, opened outside undici, pick their proxy by the same rules.
import type { Agent } from "node:http";
import { HttpsProxyAgent } from "https-proxy-agent";
import { getProxyForUrl } from "proxy-from-env";
import { Agent as UndiciAgent, EnvHttpProxyAgent, type Dispatcher } from "undici";
import { maxResponseHeaderBytes } from "../defaults.js";

export interface ConnectionSettings {
  /** Sent with every request (--header); the values are never recorded in an exchange. */
  headers: Record<string, string>;
  /** PEM certificates trusted besides the system's (--ca). */
  ca?: string;
  /** The file they came from, for reports (curl --cacert). */
  caFile?: string;
  /** Accept any server certificate (--insecure). */
  insecure: boolean;
}

/** What reports and replay commands show in place of an extra header's value: it may be a secret. */
export const redacted = "<redacted>";

export const directConnection: ConnectionSettings = { headers: {}, insecure: false };

export interface PoolSettings {
  timeoutMs: number;
  connections: number;
  /** 0: a fresh connection per request. */
  pipelining?: number;
}

/**
 * An undici dispatcher honouring HTTPS_PROXY, HTTP_PROXY and NO_PROXY, the
 * TLS settings and the extra headers. Requests name their own headers first;
 * the extra ones are added unless the request sets the same name (checks that
 * send a header on purpose keep it).
 */
export function connectionDispatcher(connection: ConnectionSettings, pool: PoolSettings): Dispatcher {
  const tls = {
    ...(connection.ca !== undefined ? { ca: connection.ca } : {}),
    ...(connection.insecure ? { rejectUnauthorized: false } : {}),
  };
  const options = {
    headersTimeout: pool.timeoutMs,
    bodyTimeout: pool.timeoutMs,
    connections: pool.connections,
    maxHeaderSize: maxResponseHeaderBytes,
    ...(pool.pipelining !== undefined ? { pipelining: pool.pipelining } : {}),
    connect: tls,
  };
  // Without a proxy in the environment, a plain agent: the proxy agent parses every request's origin to look one up.
  const agent = environmentNamesProxy() ? new EnvHttpProxyAgent({ ...options, requestTls: tls }) : new UndiciAgent(options);
  const extra = Object.entries(connection.headers);
  if (extra.length === 0) return agent;
  return agent.compose((dispatch) => (options, handler) => {
    const headers = headerRecord(options.headers);
    const own = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
    for (const [name, value] of extra) if (!own.has(name.toLowerCase())) headers[name] = value;
    return dispatch({ ...options, headers }, handler);
  });
}

/** Whether the environment names a proxy for http or https, as EnvHttpProxyAgent reads it. */
function environmentNamesProxy(): boolean {
  return ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"].some((name) => (process.env[name] ?? "") !== "");
}

function headerRecord(headers: Dispatcher.DispatchOptions["headers"]): Record<string, string> {
  const record: Record<string, string> = {};
  if (headers == null) return record;
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) record[String(headers[i])] = String(headers[i + 1]);
    return record;
  }
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (value !== undefined) record[name] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return record;
}

/**
 * The proxy the environment names for a connection to `url` (http: or
 * https:), as the requests' dispatcher picks one: none when NO_PROXY covers
 * the host (and port); for https, HTTPS_PROXY, else HTTP_PROXY; for http,
 * HTTP_PROXY (lowercase names first, and ALL_PROXY where these are unset).
 */
export function environmentProxyFor(url: string): string | undefined {
  const target = new URL(url);
  // An explicit port, so that NO_PROXY entries with a port are matched alike whichever scheme is asked.
  const port = target.port || (target.protocol === "https:" ? "443" : "80");
  // URL keeps an IPv6 hostname's brackets.
  const own = target.protocol === "https:" ? getProxyForUrl(`https://${target.hostname}:${port}/`) : "";
  return own || getProxyForUrl(`http://${target.hostname}:${port}/`) || undefined;
}

/**
 * An agent that tunnels a WebSocket's connection to `url` through the
 * environment's proxy with CONNECT (https-proxy-agent), or undefined to
 * connect directly. Over the tunnel ws speaks TLS itself for a wss://
 * server, with the run's --ca and --insecure.
 */
export function socketProxyAgent(url: string): Agent | undefined {
  const proxy = environmentProxyFor(url);
  return proxy === undefined ? undefined : new HttpsProxyAgent(proxy);
}

/** A `Name: value` header as given on the command line; undefined when it is not one. */
export function parseHeaderLine(line: string): [string, string] | undefined {
  const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/.exec(line);
  return match ? [match[1]!, match[2]!] : undefined;
}
