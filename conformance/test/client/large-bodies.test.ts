// What the suite holds of large bodies: reads of one large version share one
// string, so a workload's 1 MB wallets do not grow with the devices that read
// them; and an exchange kept for a report holds a prefix of its body, not all of it.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ProtocolClient } from "../../src/client/protocol-client.js";
import { SharedWallets } from "../../src/client/shared-wallets.js";
import { largeWalletLength } from "../../src/client/wallet-size.js";
import { heapHeldBy } from "../support/heap-held.js";

const megabyte = 1024 * 1024;
let server: Server;
let url: string;
/** What GET /wallet answers: set by each test. */
let stored = "";

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (request.method === "POST") stored = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { encryptedWallet: string }).encryptedWallet;
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ version: 1, encryptedWallet: stored, sequence: 1, hmac: "h" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The heap held by the parsed answers of `reads` GETs of one wallet, through one client and those derived from it. */
async function heldByReads(content: string, reads: number): Promise<{ bytes: number; read: unknown[] }> {
  stored = content;
  const client = new ProtocolClient({ baseUrl: url, sharedWallets: new SharedWallets() });
  const devices = [client, client.withRequestHeaders(() => ({ "x-device": "b" }))];
  const { bytes, kept: read } = await heapHeldBy(async () => {
    const read: unknown[] = [];
    for (let i = 0; i < reads; i++) read.push((await devices[i % 2]!.getWallet("t")).response!.json);
    return read;
  });
  await client.close();
  return { bytes, read };
}

describe("large wallets read again", () => {
  test("share one string, with the content as read, across clients derived from one", async () => {
    const content = "A".repeat(megabyte);
    const { bytes, read } = await heldByReads(content, 20);
    for (const json of read) expect((json as { encryptedWallet: string }).encryptedWallet).toBe(content);
    // Twenty copies would hold 20 MB.
    expect(bytes).toBeLessThan(8 * megabyte);
  });

  test("below the size worth sharing, each answer keeps its own copy", async () => {
    const content = "A".repeat(largeWalletLength - 1);
    expect((await heldByReads(content, 40)).bytes).toBeGreaterThan(30 * content.length);
  });

  test("of characters past U+00FF too, each copy two bytes a character", async () => {
    const content = "é€😀".repeat(200_000);
    const { bytes, read } = await heldByReads(content, 10);
    expect(read.every((json) => (json as { encryptedWallet: string }).encryptedWallet === content)).toBe(true);
    // 800,000 two-byte characters, 1.6 MB a copy: ten copies would hold 16 MB.
    expect(bytes).toBeLessThan(10 * content.length);
  });
});

test("a kept exchange holds the recorded prefix of a large body it sent, not the body", async () => {
  stored = "";
  const client = new ProtocolClient({ baseUrl: url });
  const wallet = "é€😀".repeat(300_000);
  const { bytes, kept } = await heapHeldBy(async () => {
    const kept = [];
    for (let i = 0; i < 5; i++) kept.push((await client.postWallet({ token: "t", encryptedWallet: `${i}${wallet}`, sequence: 1, hmac: "h" })).request);
    stored = "";
    return kept;
  });
  expect(kept[0]!.body).toMatch(/^\{"version":1,"token":"t","encryptedWallet":"0é€😀.*… \(\d+ bytes\)$/s);
  // Each body is 2.4 MB in the heap: kept whole, five hold more than 12 MB.
  expect(bytes).toBeLessThan(8 * 1024 * 1024);
  await client.close();
});
