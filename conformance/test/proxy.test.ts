// Proxies from the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY): every
// request of a run goes through the proxy the environment names, unless
// NO_PROXY exempts the server; so do the api3 notification sockets, opened
// outside undici (a CONNECT tunnel, TLS over it for wss:// with --ca).
import { createServer, request as httpRequest, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { startReferenceServer, type ReferenceServer } from "../../reference/src/index.js";
import { runCli } from "../src/cli/main.js";
import { captured } from "./support/captured-output.js";
import { environmentProxyFor } from "../src/client/connection.js";
import { openSocket } from "../src/client/notification-socket.js";
import { startGateway } from "./support/gateway.js";
import { readFileSync } from "node:fs";

let reference: ReferenceServer;
let proxy: Server;
let proxyUrl: string;
let proxied: string[] = [];
const proxyVariables = ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"];
const saved = Object.fromEntries(proxyVariables.map((name) => [name, process.env[name]]));

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
    // A tunnel ends with either side: sockets through it leave nothing open.
    upstream.on("close", close);
    client.on("close", close);
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

/** Sets exactly these proxy variables, clearing the others. */
function proxyEnvironment(values: Record<string, string>): void {
  for (const name of proxyVariables) delete process.env[name];
  Object.assign(process.env, values);
}

test("sockets pick their proxy as requests do: NO_PROXY first (with ports), HTTPS_PROXY for https falling back to HTTP_PROXY, lowercase names too", () => {
  proxyEnvironment({ HTTP_PROXY: "http://plain:3128" });
  expect(environmentProxyFor("http://server:8090")).toBe("http://plain:3128");
  expect(environmentProxyFor("https://server")).toBe("http://plain:3128");
  proxyEnvironment({ https_proxy: "http://secure:3129", http_proxy: "http://plain:3128", no_proxy: "localhost,.internal,server:8443" });
  expect(environmentProxyFor("https://server")).toBe("http://secure:3129");
  expect(environmentProxyFor("https://server:8443")).toBeUndefined();
  expect(environmentProxyFor("http://api.internal")).toBeUndefined();
  expect(environmentProxyFor("http://localhost:1")).toBeUndefined();
  proxyEnvironment({ HTTP_PROXY: "http://plain:3128", NO_PROXY: "*" });
  expect(environmentProxyFor("http://server")).toBeUndefined();
  proxyEnvironment({});
  expect(environmentProxyFor("https://server")).toBeUndefined();
});

describe("api3 notification sockets", () => {
  let api3: ReferenceServer;
  beforeAll(async () => {
    api3 = await startReferenceServer({ scryptCost: 64, protocol: "api3" });
  });
  afterAll(() => api3.close());
  const refusedUpgrade = (baseUrl: string, connection?: Parameters<typeof openSocket>[0]["connection"]) =>
    openSocket({ baseUrl, path: "/api/3/websocket?token=no-such-token", openTimeoutMs: 5_000, ...(connection ? { connection } : {}) });

  test("ws:// goes through HTTP_PROXY by a CONNECT tunnel; NO_PROXY naming the server goes direct", async () => {
    proxyEnvironment({ HTTP_PROXY: proxyUrl });
    const through = await refusedUpgrade(api3.url);
    expect(through.exchange.response?.status, JSON.stringify(through.exchange.failure)).toBe(401);
    expect(proxied).toEqual([`CONNECT ${new URL(api3.url).host}`]);
    proxied = [];
    proxyEnvironment({ http_proxy: proxyUrl, no_proxy: "127.0.0.1" });
    expect((await refusedUpgrade(api3.url)).exchange.response?.status).toBe(401);
    expect(proxied).toEqual([]);
  });

  test("wss:// goes through HTTPS_PROXY, TLS over the tunnel with --ca, the headers sent", async () => {
    const apiKey = { name: "X-Api-Key", value: "proxy-test-key" };
    const gateway = await startGateway({ upstream: api3.url, prefix: "/gw", header: apiKey });
    try {
      proxyEnvironment({ HTTPS_PROXY: proxyUrl });
      const trusted = { headers: { [apiKey.name]: apiKey.value }, ca: readFileSync(gateway.caFile, "utf8"), insecure: false };
      const through = await refusedUpgrade(gateway.url, trusted);
      // 401 from the server behind: the gateway accepted the key, so TLS and headers made it through the tunnel.
      expect(through.exchange.response?.status, JSON.stringify(through.exchange.failure)).toBe(401);
      expect(proxied).toEqual([`CONNECT ${new URL(gateway.url).host}`]);
      // Without the CA the tunnel is made, and the certificate is refused over it.
      const untrusted = await refusedUpgrade(gateway.url, { headers: trusted.headers, insecure: false });
      expect(untrusted.exchange.failure?.message).toMatch(/certificate/i);
    } finally {
      await gateway.close();
    }
  });

  test("a whole api3 run through HTTP_PROXY passes its socket checks", async () => {
    proxyEnvironment({ HTTP_PROXY: proxyUrl });
    const { output } = captured();
    const result = await runCli(["--url", api3.url, "--protocol", "api3", "--only", "NOTIFY-1,NOTIFY-2", "--runs", "2", "--quiet"], output);
    expect(result.exitCode).toBe(0);
    expect(proxied.filter((line) => line.startsWith("CONNECT ")).length).toBeGreaterThan(0);
  }, 60_000);
});
