// Recording Exchanges of the protocol client as history operations.
import { describe, expect, test } from "vitest";
import type { Exchange } from "../../src/client/protocol-client.js";
import { checkHistory } from "../../src/history/checker.js";
import { walletInBody } from "../../src/client/wallet-body.js";
import { HistoryRecorder, outcomeOf } from "../../src/interleavings/execution/recorder.js";
import { heapHeldBy } from "../support/heap-held.js";
import { paddedSizeOf, padWallet } from "../../src/client/wallet-size.js";

function exchange(startedAt: number, endedAt: number, status?: number, json?: unknown): Exchange {
  const request = { method: "POST" as const, path: "/wallet", headers: {} };
  if (status === undefined) {
    return { request, failure: { kind: "timeout", message: "no complete answer within 10 ms" }, startedAt, endedAt };
  }
  return {
    request,
    response: { status, headers: {}, text: JSON.stringify(json ?? {}), json: json ?? {} },
    startedAt,
    endedAt,
  };
}

const wallet = { version: 1, encryptedWallet: "-:a", sequence: 1, hmac: "h1", error: "" };

describe("outcomeOf", () => {
  test("the kind's success status is ok, and carries the wallet of the body without extra fields", () => {
    expect(outcomeOf("get", exchange(0, 1, 200, wallet))).toEqual({
      type: "ok",
      status: 200,
      wallet: { encryptedWallet: "-:a", sequence: 1, hmac: "h1" },
    });
    expect(outcomeOf("signup", exchange(0, 1, 201, {}))).toEqual({ type: "ok", status: 201 });
  });

  test("a 4xx is refused; a 409 keeps the stored wallet of its body", () => {
    expect(outcomeOf("post", exchange(0, 1, 409, { ...wallet, error: "Bad sequence number" }))).toMatchObject({
      type: "refused",
      status: 409,
      wallet: { sequence: 1 },
    });
    expect(outcomeOf("post", exchange(0, 1, 409, { error: "Conflict: Bad sequence number (No existing wallet)" }))).toEqual({
      type: "refused",
      status: 409,
    });
    expect(outcomeOf("get", exchange(0, 1, 401, { error: "Unauthorized: Token Not Found" }))).toEqual({
      type: "refused",
      status: 401,
    });
  });

  test("a body with wallet fields that make no wallet is marked, not taken for 'no wallet'", () => {
    expect(outcomeOf("post", exchange(0, 1, 409, { ...wallet, sequence: "1" }))).toEqual({
      type: "refused",
      status: 409,
      unreadableWallet: true,
    });
  });

  test("a 5xx, a timeout or a lost connection is indeterminate", () => {
    expect(outcomeOf("post", exchange(0, 1, 503, {}))).toEqual({ type: "indeterminate", cause: "server-error", status: 503 });
    expect(outcomeOf("post", exchange(0, 1))).toMatchObject({ type: "indeterminate", cause: "timeout" });
  });

  test("walletInBody wants a string content and hmac and a number sequence", () => {
    expect(walletInBody({ version: 1, encryptedWallet: "x", sequence: 2, hmac: "h", error: "" })).toEqual({ encryptedWallet: "x", sequence: 2, hmac: "h" });
    expect(walletInBody({ encryptedWallet: "x", sequence: "2", hmac: "h" })).toBeUndefined();
    expect(walletInBody(null)).toBeUndefined();
    expect(walletInBody("x")).toBeUndefined();
  });

  test("a history records a wallet only with a whole-number sequence", () => {
    expect(outcomeOf("get", exchange(0, 1, 200, { ...wallet, sequence: 1.5 }))).toEqual({ type: "ok", status: 200, unreadableWallet: true });
  });
});

describe("HistoryRecorder", () => {
  test("numbers operations, counts token generations per device, and keeps what a POST sent", () => {
    const recorder = new HistoryRecorder("append-log", { seed: 3 });
    const a = { account: "joe@example.com", client: "device-a" };
    recorder.signup(a, exchange(0, 1, 201, {}));
    const first = recorder.auth(a, exchange(1, 2, 200, { token: "t1" }));
    const second = recorder.auth(a, exchange(3, 4, 200, { token: "t2" }));
    const other = recorder.auth({ account: "joe@example.com", client: "device-b" }, exchange(3, 4, 200, {}));
    const post = recorder.post(
      a,
      second.tokenGeneration,
      { encryptedWallet: "-:a", sequence: 1, hmac: "h1", baseSequence: 0, move: "honest" },
      exchange(5, 6, 200, wallet),
    );
    recorder.get(a, second.tokenGeneration, exchange(7, 8, 200, wallet));
    expect([first.tokenGeneration, second.tokenGeneration, other.tokenGeneration]).toEqual([1, 2, 1]);
    expect(post).toMatchObject({ id: 5, kind: "post", invokedAt: 5, completedAt: 6, tokenGeneration: 2 });
    expect(post.request).toEqual({ encryptedWallet: "-:a", sequence: 1, hmac: "h1", baseSequence: 0, move: "honest" });

    const history = recorder.toHistory();
    expect(history).toMatchObject({ format: "wallet-sync-history/2", contentModel: "append-log", meta: { seed: 3 } });
    expect(history.operations.map((op) => op.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(checkHistory(history).passed).toBe(true);
  });
});

describe("padded wallets a history posted", () => {
  const a = { account: "joe@example.com", client: "device-a" };
  const megabyte = 1024 * 1024;
  const postAll = (recorder: HistoryRecorder, wallets: string[]) =>
    wallets.map((encryptedWallet, i) => recorder.post(a, 1, { encryptedWallet, sequence: i + 1, hmac: `h${i}`, baseSequence: i }, exchange(i, i + 1, 409, {})));

  test("read back as they were sent, in the history and in its JSON, of base64 and of JSON padding", () => {
    const wallets = (["base64", "json"] as const).map((text, i) => padWallet(`-:a0d${i}-1`, { bytes: megabyte, text }));
    const recorder = new HistoryRecorder();
    postAll(recorder, wallets);
    const history = recorder.toHistory();
    expect(history.operations.map((op) => op.kind === "post" && op.request.encryptedWallet)).toEqual(wallets);
    const parsed = JSON.parse(JSON.stringify(history)) as typeof history;
    expect(parsed.operations.map((op) => op.kind === "post" && op.request.encryptedWallet)).toEqual(wallets);
    expect({ ...(history.operations[1] as { request: object }).request }).toEqual({ encryptedWallet: wallets[1], sequence: 2, hmac: "h1", baseSequence: 1 });
  });

  test("held as their change logs: twenty versions of 1 MB hold far less than 20 MB", async () => {
    const { bytes, kept: recorder } = await heapHeldBy(() => {
      const recorder = new HistoryRecorder();
      postAll(recorder, Array.from({ length: 20 }, (_, i) => padWallet(`-:a0d0-${i}`, { bytes: megabyte, text: i % 2 === 0 ? "json" : "base64" })));
      return recorder;
    });
    expect(bytes).toBeLessThan(4 * megabyte);
    expect(recorder.operations).toHaveLength(20);
  });

  test("padding the suite did not write is kept as it is", () => {
    const written = padWallet("-:a0d0-1", { bytes: 100_000, text: "base64" });
    const altered = `${written.slice(0, -1)}!`;
    const unpadded = "x".repeat(100_000);
    expect(paddedSizeOf(written)).toEqual({ bytes: 100_000, text: "base64" });
    expect(paddedSizeOf(altered)).toBeUndefined();
    expect(paddedSizeOf(unpadded)).toBeUndefined();
    const recorder = new HistoryRecorder();
    const posts = postAll(recorder, [altered, unpadded]);
    expect(posts.map((post) => post.request.encryptedWallet)).toEqual([altered, unpadded]);
    expect(posts.every((post) => Object.getOwnPropertyDescriptor(post.request, "encryptedWallet")!.value !== undefined)).toBe(true);
  });
});

describe("a streaming HistoryRecorder", () => {
  test("keeps nothing of an account it is told to forget: a later login of it counts from the first generation again", () => {
    const streamed: number[] = [];
    const recorder = new HistoryRecorder("append-log", undefined, { sink: (op) => streamed.push(op.id) });
    const newcomer = { account: "new-7", client: "d0" };
    const other = { account: "long-a0", client: "d0" };
    expect(recorder.auth(newcomer, exchange(0, 1, 200, { token: "t1" })).tokenGeneration).toBe(1);
    expect(recorder.auth(newcomer, exchange(2, 3, 200, { token: "t2" })).tokenGeneration).toBe(2);
    expect(recorder.auth(other, exchange(2, 3, 200, { token: "t3" })).tokenGeneration).toBe(1);
    recorder.forgetAccount("new-7");
    expect(recorder.auth(newcomer, exchange(4, 5, 200, { token: "t4" })).tokenGeneration).toBe(1);
    // Another account keeps its count, and the numbering of operations goes on.
    expect(recorder.auth(other, exchange(4, 5, 200, { token: "t5" })).tokenGeneration).toBe(2);
    expect(streamed).toEqual([1, 2, 3, 4, 5]);
    expect(recorder.operations).toEqual([]);
  });
});

describe("HistoryRecorder in api3", () => {
  test("a password change lists the tokens issued before it was sent; a socket is filled in after its upgrade; the history names its profile", () => {
    const recorder = new HistoryRecorder("append-log", undefined, {}, "api3");
    const a = { account: "a0", client: "d0" };
    const b = { account: "a0", client: "d1" };
    recorder.auth(a, exchange(0, 1, 200, { token: "t1" }), "p0");
    // Answered while the change runs: not listed.
    recorder.auth(b, exchange(2, 4, 200, { token: "t2" }), "p0");
    recorder.auth({ account: "a1", client: "d0" }, exchange(0, 1, 200, { token: "t3" }));
    const socket = recorder.socket(a, 1, { invokedAt: 1.5, completedAt: 2.5, outcome: { type: "ok", status: 101 } });
    const change = recorder.password(
      b,
      { oldPassword: "p0", newPassword: "p1", request: { encryptedWallet: "-:a", sequence: 2, hmac: "h2", baseSequence: 1, move: "password-change" } },
      exchange(3, 5, 200, {}),
    );
    socket.frames.push({ at: 6, text: "wallet-update:3" });
    socket.closed = { by: "server", at: 7 };
    expect(change).toMatchObject({ id: 5, kind: "password", oldPassword: "p0", newPassword: "p1", outcome: { type: "ok", status: 200 } });
    expect(change.endsTokens).toEqual([{ client: "d0", tokenGeneration: 1 }]);
    expect(recorder.operations.flatMap((op) => (op.kind === "auth" ? [op.password] : []))).toEqual(["p0", "p0", undefined]);

    const history = recorder.toHistory();
    expect(history).toMatchObject({ format: "wallet-sync-history/2", profile: "api3" });
    expect(history.operations[3]).toMatchObject({ kind: "socket", frames: [{ at: 6, text: "wallet-update:3" }], closed: { by: "server", at: 7 } });
    expect(outcomeOf("password", exchange(0, 1, 409, { error: "Bad sequence number or wallet does not exist" }))).toEqual({ type: "refused", status: 409 });
  });

  test("a seed history names no profile", () => {
    expect(new HistoryRecorder().toHistory()).not.toHaveProperty("profile");
  });
});
