// A gateway like those servers are deployed behind: HTTPS with a certificate
// of its own (self-signed, made here with Debian's openssl), the protocol
// mounted under a path prefix, and an API key required on every request;
// what passes is forwarded to the server behind it, WebSocket upgrades too
// (which it may also rate-limit, as gateways do).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { tunnelUpgrade } from "../../src/faults/upgrade-tunnel.js";
import type { Duplex } from "node:stream";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Gateway {
  /** https://127.0.0.1:port/<prefix> */
  url: string;
  /** The gateway's certificate, PEM, in a file: what --ca is given. */
  caFile: string;
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** http://host:port of the server behind. */
  upstream: string;
  prefix: string;
  header: { name: string; value: string };
  /**
   * Answers the first upgrade of each URL 429 with Retry-After: 0 and
   * forwards it when tried again: every socket meets the limit once, and a
   * client that waits and retries as told always gets through (a limit
   * shared by all clients could refuse one client's every retry).
   */
  limitUpgrades?: boolean;
}

/** A self-signed certificate for 127.0.0.1 and localhost, valid one day, in `dir`. */
export function makeSelfSignedCertificate(dir: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=wallet-sync test gateway",
    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ], { stdio: "ignore" });
  return { certFile, keyFile };
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), "wallet-sync-gateway-"));
  const { certFile, keyFile } = makeSelfSignedCertificate(dir);
  const upstream = new URL(options.upstream);
  const prefix = options.prefix.replace(/\/+$/, "");
  const server: Server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (request, response) => {
    const deny = (status: number, error: string) => {
      request.resume();
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ error }));
    };
    const url = request.url ?? "/";
    if (!url.startsWith(`${prefix}/`)) return deny(404, "no such route at the gateway");
    if (request.headers[options.header.name.toLowerCase()] !== options.header.value) {
      return deny(401, `the gateway requires the ${options.header.name} header`);
    }
    const forwarded = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: url.slice(prefix.length),
        headers: { ...request.headers, host: upstream.host },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on("error", () => deny(502, "the server behind the gateway did not answer"));
    request.pipe(forwarded);
  });
  const limited = new Set<string>();
  server.on("upgrade", (request: IncomingMessage, client: Duplex, head: Buffer) => {
    const refuse = (status: number, reason: string, headers: Record<string, string> = {}) => {
      const lines = Object.entries({ ...headers, "content-length": "0", connection: "close" }).map(([name, value]) => `${name}: ${value}\r\n`);
      client.end(`HTTP/1.1 ${status} ${reason}\r\n${lines.join("")}\r\n`);
    };
    const url = request.url ?? "/";
    if (!url.startsWith(`${prefix}/`)) return refuse(404, "Not Found");
    if (request.headers[options.header.name.toLowerCase()] !== options.header.value) return refuse(401, "Unauthorized");
    if (options.limitUpgrades && !limited.has(url)) {
      limited.add(url);
      return refuse(429, "Too Many Requests", { "retry-after": "0" });
    }
    tunnelUpgrade(request, client, head, { hostname: upstream.hostname, port: Number(upstream.port), host: upstream.host, path: url.slice(prefix.length) });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}${prefix}`,
    caFile: certFile,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
