// A small HTTP proxy the suite puts in front of the server under test when
// --faults is on. It forwards every request as it is, except that a request
// naming a fault in the fault header (fault-kinds.ts) gets it: the client
// hangs up once the request is written, the answer is dropped once the
// server has sent it, the connection is reset before anything is forwarded,
// or the request or answer is held a moment. Each client request gets an
// upstream connection of its own, so a fault touches that request alone.
// Bodies are streamed, never buffered: the suite stays bounded. WebSocket
// upgrades (the api3 profile's notifications) are forwarded as they are.
// The proxy listens in plain HTTP on 127.0.0.1, where it reads the fault
// header; to an https:// server it speaks TLS with the run's --ca and
// --insecure. Headers (--header among them) are forwarded as they come.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { faultDelayMs, faultHeader, isFaultKind, type FaultKind } from "./fault-kinds.js";
import { serverName, tunnelUpgrade, type UpgradeTarget } from "./upgrade-tunnel.js";

export interface FaultProxy {
  /** The target's URL with the proxy's host and port (a path prefix kept). */
  url: string;
  close(): Promise<void>;
}

/** How the proxy reaches an https:// server: the run's --ca and --insecure. */
export interface UpstreamTrust {
  ca?: string;
  insecure: boolean;
}

interface Upstream {
  url: URL;
  hostname: string;
  port: number;
  /** TLS options for an https:// server; absent for http://. */
  tls?: NonNullable<UpgradeTarget["tls"]>;
}

/** Starts a proxy to `target` (an http:// or https:// URL) on 127.0.0.1, port 0. */
export async function startFaultProxy(target: string, trust: UpstreamTrust = { insecure: false }): Promise<FaultProxy> {
  const url = new URL(target);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`faults are injected into HTTP and HTTPS only, not ${url.protocol}// (${target})`);
  const secure = url.protocol === "https:";
  const upstream: Upstream = {
    url,
    // net and tls take an IPv6 address without URL brackets.
    hostname: url.hostname.replace(/^\[|\]$/g, ""),
    port: Number(url.port || (secure ? 443 : 80)),
    ...(secure ? { tls: { ...(trust.ca !== undefined ? { ca: trust.ca } : {}), rejectUnauthorized: !trust.insecure } } : {}),
  };
  const server = createServer((request, response) => relay(request, response, upstream));
  server.on("upgrade", (request: IncomingMessage, client: Duplex, head: Buffer) => {
    takeFault(request);
    tunnelUpgrade(request, client, head, {
      hostname: upstream.hostname,
      port: upstream.port,
      host: url.host,
      path: request.url ?? "/",
      ...(upstream.tls ? { tls: upstream.tls } : {}),
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const prefix = url.pathname.replace(/\/+$/, "");
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The fault a request names, taken out of its headers. */
function takeFault(request: IncomingMessage): FaultKind | undefined {
  const named = request.headers[faultHeader];
  delete request.headers[faultHeader];
  return isFaultKind(named) ? named : undefined;
}

function relay(request: IncomingMessage, response: ServerResponse, target: Upstream): void {
  const fault = takeFault(request);
  const client = request.socket;
  if (fault === "reset-before-forward") {
    client.resetAndDestroy();
    return;
  }
  const forward = () => {
    if (client.destroyed) return;
    const options = {
      host: target.hostname,
      port: target.port,
      method: request.method,
      path: request.url,
      headers: { ...request.headers, host: target.url.host },
      // A connection per request: a fault ends that request's connection only.
      agent: false as const,
    };
    const name = serverName(target.hostname);
    const outgoing = target.tls ? httpsRequest({ ...options, ...target.tls, ...(name ? { servername: name } : {}) }) : httpRequest(options);
    // A client that gave up (its timeout) ends the upstream request too.
    client.once("close", () => outgoing.destroy());
    outgoing.once("error", () => client.destroy());
    if (fault === "hangup-after-send") {
      outgoing.once("finish", () => {
        outgoing.destroy();
        client.destroy();
      });
    }
    outgoing.once("response", (answer) => {
      if (fault === "drop-answer") {
        answer.resume();
        answer.once("end", () => client.destroy());
        return;
      }
      const pass = () => {
        if (client.destroyed) return answer.destroy();
        response.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
        answer.pipe(response);
      };
      if (fault === "delay-answer") setTimeout(pass, faultDelayMs);
      else pass();
    });
    request.pipe(outgoing);
  };
  if (fault === "delay-request") setTimeout(forward, faultDelayMs);
  else forward();
}
