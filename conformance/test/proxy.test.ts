// Proxies from the environment (HTTP_PROXY, NO_PROXY): every request of a
// run goes through the proxy the environment names, unless NO_PROXY exempts
// the server.
import { createServer, request as httpRequest, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { startReferenceServer, type ReferenceServer } from "../../reference/src/index.js";
import { runCli } from "../src/cli/main.js";
import { captured } from "./support/captured-output.js";

let reference: ReferenceServer;
let proxy: Server;
let proxyUrl: string;
let proxied: string[] = [];
const saved = { HTTP_PROXY: process.env["HTTP_PROXY"], NO_PROXY: process.env["NO_PROXY"], no_proxy: process.env["no_proxy"] };

/** A forward proxy: CONNECT tunnels (undici's default) and requests in absolute form, each sent on to its origin. */
function startProxy(): Promise<Server> {
  const server = createServer((incoming, outgoing) => {
    const target = new URL(incoming.url ?? "");
    proxied.push(`${incoming.method} ${target.pathname}`);
    const upstream = httpRequest(target, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on("error", () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  server.on("connect", (incoming, client: Socket, head: Buffer) => {
    proxied.push(`CONNECT ${incoming.url}`);
    const [host, port] = (incoming.url ?? "").split(":");
    const upstream = connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const close = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on("error", close);
    client.on("error", close);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  reference = await startReferenceServer({ scryptCost: 64 });
  proxy = await startProxy();
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await reference.close();
  await new Promise((resolve) => proxy.close(resolve));
});
afterEach(() => {
  proxied = [];
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

test("HTTP_PROXY: the run goes through the proxy and passes", async () => {
  process.env["HTTP_PROXY"] = proxyUrl;
  delete process.env["NO_PROXY"];
  delete process.env["no_proxy"];
  const { output } = captured();
  const result = await runCli(["--url", reference.url, "--only", "WGET", "--quiet"], output);
  expect(result.exitCode).toBe(0);
  expect(proxied.length).toBeGreaterThan(0);
  expect(proxied.every((line) => line.endsWith(new URL(reference.url).host) || line.startsWith("GET ") || line.startsWith("POST "))).toBe(true);
}, 30_000);

test("NO_PROXY: a server it names is reached directly", async () => {
  process.env["HTTP_PROXY"] = proxyUrl;
  process.env["NO_PROXY"] = "127.0.0.1";
  const { output } = captured();
  const result = await runCli(["--url", reference.url, "--only", "WGET", "--quiet"], output);
  expect(result.exitCode).toBe(0);
  expect(proxied).toEqual([]);
}, 30_000);
