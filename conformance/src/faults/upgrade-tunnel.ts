// Forwards a WebSocket upgrade (or any HTTP upgrade) to a server behind a
// proxy: the request line and headers are written again with the upstream
// host and path, then both connections are piped into each other until one
// ends. To an https:// server the connection speaks TLS with the trust
// given. Nothing is buffered beyond what the sockets hold.
import type { IncomingMessage } from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { connect as connectTls, type ConnectionOptions } from "node:tls";

export interface UpgradeTarget {
  hostname: string;
  port: number;
  /** The `host` header to send upstream. */
  host: string;
  /** The request target to send upstream (path and query). */
  path: string;
  /** TLS to the server (an https:// one): the CA to trust, whether to check its certificate; absent: plain TCP. */
  tls?: Pick<ConnectionOptions, "ca" | "rejectUnauthorized">;
}

export function tunnelUpgrade(request: IncomingMessage, client: Duplex, head: Buffer, target: UpgradeTarget): void {
  const forward = () => {
    const headers: string[] = [];
    for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
      const name = request.rawHeaders[i] as string;
      headers.push(`${name}: ${name.toLowerCase() === "host" ? target.host : request.rawHeaders[i + 1]}\r\n`);
    }
    behind.write(`${request.method} ${target.path} HTTP/1.1\r\n${headers.join("")}\r\n`);
    behind.write(head);
    behind.pipe(client);
    client.pipe(behind);
  };
  const behind = target.tls
    ? connectTls({ host: target.hostname, port: target.port, servername: serverName(target.hostname), ...target.tls }, forward)
    : connect(target.port, target.hostname, forward);
  const drop = () => {
    behind.destroy();
    client.destroy();
  };
  behind.on("error", drop);
  client.on("error", drop);
  client.on("close", () => behind.destroy());
  behind.on("close", () => client.destroy());
}

/** The TLS server name for a host: none for an IP address (SNI names hosts only). */
export function serverName(hostname: string): string | undefined {
  return /^[\d.]+$|:|^\[/.test(hostname) ? undefined : hostname;
}
