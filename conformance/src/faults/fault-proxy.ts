// A small HTTP proxy the suite puts in front of the server under test when
// --faults is on. It forwards every request as it is, except that a request
// naming a fault in the fault header (fault-kinds.ts) gets it: the client
// hangs up once the request is written, the answer is dropped once the
// server has sent it, the connection is reset before anything is forwarded,
// or the request or answer is held a moment. Each client request gets an
// upstream connection of its own, so a fault touches that request alone.
// Bodies are streamed, never buffered: the suite stays bounded. WebSocket
// upgrades (the api3 profile's notifications) are forwarded as they are.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { faultDelayMs, faultHeader, isFaultKind, type FaultKind } from "./fault-kinds.js";
import { tunnelUpgrade } from "./upgrade-tunnel.js";

export interface FaultProxy {
  /** The target's URL with the proxy's host and port (a path prefix kept). */
  url: string;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (an http:// URL) on 127.0.0.1, port 0. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  if (upstream.protocol !== "http:") throw new Error(`faults are injected into plain HTTP only, not ${upstream.protocol}// (${target})`);
  const server = createServer((request, response) => relay(request, response, upstream));
  server.on("upgrade", (request: IncomingMessage, client: Duplex, head: Buffer) => {
    takeFault(request);
    const port = Number(upstream.port || 80);
    tunnelUpgrade(request, client, head, { hostname: upstream.hostname, port, host: upstream.host, path: request.url ?? "/" });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const prefix = upstream.pathname.replace(/\/+$/, "");
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

function relay(request: IncomingMessage, response: ServerResponse, target: URL): void {
  const fault = takeFault(request);
  const client = request.socket;
  if (fault === "reset-before-forward") {
    client.resetAndDestroy();
    return;
  }
  const forward = () => {
    if (client.destroyed) return;
    const outgoing = httpRequest({
      host: target.hostname,
      port: target.port || 80,
      method: request.method,
      path: request.url,
      headers: { ...request.headers, host: target.host },
      // A connection per request: a fault ends that request's connection only.
      agent: false,
    });
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
