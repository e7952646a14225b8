// How findings put an exchange in words: sizes said once, bodies bounded,
// a server error with the headers that explain it.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, test } from "vitest";
import { ProtocolClient } from "../src/client/protocol-client.js";
import { describeRequest, describeResponse } from "../src/model/describe.js";
import { freePort } from "./support/ports.js";

async function sent(body: string): Promise<string> {
  const client = new ProtocolClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
  try {
    const exchange = await client.send({ method: "POST", path: "/signup", body, headers: { "content-type": "application/json" } });
    return describeRequest(exchange.request);
  } finally {
    await client.close();
  }
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe("describeRequest", () => {
  test("says an oversized body's size once", async () => {
    const body = `{"email":"${"x".repeat(3 * 1024 * 1024)}"}`;
    const text = await sent(body);
    expect(occurrences(text, `(${Buffer.byteLength(body)} bytes)`)).toBe(1);
    expect(text.length).toBeLessThan(400);
  });

  test("says the size of a long body recorded whole, once", async () => {
    const body = JSON.stringify({ email: "a".repeat(10), words: Array.from({ length: 100 }, (_, i) => `w${i}`) });
    const text = await sent(body);
    expect(occurrences(text, `(${Buffer.byteLength(body)} bytes)`)).toBe(1);
  });
});

describe("describeResponse", () => {
  // A real server's answers: what a 5xx says comes with the headers that explain it, and its body is bounded.
  async function answered(status: number, headers: Record<string, string>, body: string): Promise<string> {
    const server = createServer((request, response) => {
      request.resume();
      response.writeHead(status, headers).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const client = new ProtocolClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, timeoutMs: 2000 });
    try {
      return describeResponse(await client.send({ method: "GET", path: "/wallet" }));
    } finally {
      await client.close();
      server.close();
    }
  }

  test("a 5xx shows its Content-Type and Retry-After and a bounded body", async () => {
    // Retry-After 0: the client retries a 503 that asks for it at once rather than after seconds.
    const text = await answered(503, { "content-type": "text/plain", "retry-after": "0" }, `database is locked ${"x".repeat(2000)}`);
    expect(text).toMatch(/^503 \[Content-Type: text\/plain\] \[Retry-After: 0\] database is locked x{8}…\(\d+ × x\)$/);
  });

  test("another status shows no headers", async () => {
    expect(await answered(409, { "content-type": "application/json", "retry-after": "7" }, "{}")).toBe("409 {}");
  });
});
