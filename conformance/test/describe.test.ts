// How findings put an exchange in words: sizes said once, bodies bounded.
import { describe, expect, test } from "vitest";
import { ProtocolClient } from "../src/client/protocol-client.js";
import { describeRequest } from "../src/report/describe.js";
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
