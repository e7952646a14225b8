// What a server keeps whole (SEQ-8): wallet and hmac strings of every kind a
// client may send, and a body of the size servers should accept (HTTP-7).
import { randomBytes } from "node:crypto";
import type { ProfileName, WalletVersion } from "../../../spec/index.js";
import { walletPostBody, type WalletPost } from "../client/protocol-client.js";
import { defineCheck, type CheckCase } from "../model/case.js";
import { expectStatus, type StatusExpectation } from "./support/expect.js";
import { Steps, stepsTaken, storedPart, walletRequest, type Device } from "./support/steps.js";

export interface WalletContent {
  /** What the string holds, for findings. */
  what: string;
  text: string;
}

/** Every control character JSON must escape (U+0000 to U+001F), and DEL. */
const controlCharacters = `${Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code)).join("")}\u007f`;

/**
 * Strings a server might re-encode, normalize, trim, unescape or cut: any
 * JSON string that is valid Unicode (spec/protocol.md, SEQ-8), and none with
 * a lone surrogate, which the original replaces by U+FFFD. None has a '%':
 * the original writes bodies through a format string.
 */
export const walletContents: readonly WalletContent[] = [
  { what: "non-ASCII text", text: "ünïcödé ✓ 漢字 é precomposed, e\u0301 decomposed" },
  { what: "JSON escapes", text: `"double" 'single' \`back\` quotes, back\\slash, \\n not a newline, \\u0041 not an A` },
  { what: "base64, as clients send it", text: "czo4MTkyOjE2OjE6MArKm6fT20MSDlsRPAxl5gk49w+/ZmY=" },
  { what: "control characters", text: `line one\nline two\r\nline three\ttabbed, then all of them: ${controlCharacters}` },
  { what: "NUL", text: "before NUL\u0000after NUL" },
  { what: "U+2028 and U+2029", text: "line\u2028separator, paragraph\u2029separator" },
  { what: "characters beyond the Basic Multilingual Plane", text: "emoji 😀, clef 𝄞, CJK extension B 𠀀" },
  { what: "leading and trailing spaces", text: "  leading and trailing spaces  " },
  { what: "markup and JSON", text: '<script>alert(1)</script> & &amp; {"looks":"like JSON","n":1}' },
];

/** What a user's grown wallet is like: longer than a 64 KiB column, and its body still under the 100,000 bytes of HTTP-7. */
export const largeWalletCharacters = 99_000;

/** Base64 text of exactly `length` characters, as an encrypted wallet looks. */
export function base64Text(length: number): string {
  return randomBytes(Math.ceil(length / 4) * 3).toString("base64").slice(0, length);
}

/** Reads the wallet back: its strings must be exactly the ones stored (SEQ-8). */
async function expectReadBack(steps: Steps, device: Device, stored: WalletVersion, what: string): Promise<void> {
  const { exchange } = await steps.read(device);
  steps.expectWallet(exchange, stored, { requirement: "SEQ-8", doing: `GET /wallet after storing ${what}`, expected: "the strings exactly as sent" });
}

/**
 * Posts a wallet large enough that the server may refuse it as too large:
 * a 413 must have changed nothing (HTTP-4), an answer `expectation` does
 * not allow is reported under it, and a 200 must echo the wallet and read
 * it back whole (SEQ-8).
 */
async function storeLarge(steps: Steps, device: Device, before: WalletVersion, post: WalletPost, what: string, expectation: StatusExpectation): Promise<void> {
  const exchange = await steps.ctx.client.postWallet(post);
  expectStatus(steps.ctx, exchange, expectation);
  const status = exchange.response?.status;
  if (status === 413) await steps.unchanged(device, before, { requirement: "HTTP-4", exchange, doing: expectation.doing });
  if (status !== 200) return;
  const stored = storedPart(post);
  steps.expectEcho(exchange, stored, { requirement: "SEQ-8", what });
  await expectReadBack(steps, device, stored, what);
}

const contentRoundTrip = defineCheck({
  requirement: "SEQ-8",
  slug: "opaque-strings",
  file: import.meta.url,
  alsoChecks: ["HTTP-4", ...stepsTaken("device", "store", "read")],
  title: "encryptedWallet and hmac come back exactly as sent, whatever valid JSON string and however long; the hmac is not checked",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    let stored: WalletVersion | undefined;
    for (const [index, content] of walletContents.entries()) {
      // The hmac is any string: the server cannot check it (it has no key) and must not alter it.
      const hmac = (walletContents[(index + 1) % walletContents.length] as WalletContent).text;
      // In the seed profile the 200 must echo the strings exactly too.
      stored = await steps.store(device, index + 1, { encryptedWallet: content.text, hmac }, { requirement: "SEQ-8", what: content.what });
      await expectReadBack(steps, device, stored, content.what);
    }
    // A server may refuse a body this large (HTTP-7 is a SHOULD), but one it accepts it keeps whole.
    const what = `a ${largeWalletCharacters.toLocaleString("en-US")}-character wallet`;
    const sequence = walletContents.length + 1;
    const large = walletRequest(device.token, sequence, { encryptedWallet: base64Text(largeWalletCharacters) });
    const doing = `storing ${what} (sequence ${sequence})`;
    const expectation = { requirement: "SEQ-2", status: [200, 413], doing, expected: "200, or 413 when the server accepts no body this large" };
    await storeLarge(steps, device, stored as WalletVersion, large, what, expectation);
  },
});

/** The body size HTTP-7 asks servers to accept: what the original's api3 releases accept (they answer 413 above it). */
export const recommendedBodyBytes = 100_000;

/** A well-formed POST /wallet whose JSON body in the profile is exactly `bytes` long: its encryptedWallet is base64 padding. */
export function walletPostOfSize(profile: ProfileName, token: string, sequence: number, bytes: number): WalletPost {
  const body = walletRequest(token, sequence, { encryptedWallet: "" });
  const overhead = Buffer.byteLength(JSON.stringify(walletPostBody(profile, body)));
  return { ...body, encryptedWallet: base64Text(bytes - overhead) };
}

const recommendedSize = defineCheck({
  requirement: "HTTP-7",
  slug: "100000-byte-body",
  file: import.meta.url,
  alsoChecks: ["SEQ-8", "HTTP-4", ...stepsTaken("device", "store", "read")],
  title: "A POST /wallet of 100,000 bytes is stored, and its wallet comes back whole",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const before = await steps.store(device, 1);
    const size = `${recommendedBodyBytes.toLocaleString("en-US")} bytes`;
    const body = walletPostOfSize(ctx.profile, device.token, 2, recommendedBodyBytes);
    const expectation = { requirement: "HTTP-7", status: 200, doing: `a POST /wallet of ${size}`, expected: `200: bodies of ${size} are accepted, as by the original` };
    await storeLarge(steps, device, before, body, `a wallet in a body of ${size}`, expectation);
  },
});

export const walletContentChecks: CheckCase[] = [contentRoundTrip, recommendedSize];
