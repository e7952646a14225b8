// The demo wallet's stand-in for a large encrypted wallet: after its change
// log, a version may carry "~" and padding up to a size in UTF-8 bytes, so
// that workloads store wallets of every size a server accepts and every
// kind of character a JSON string may hold. Padding belongs to one version:
// the next version a client builds keeps its base's change log and drops
// the padding (the history checker reads the log the same way, in
// history/bases.ts).

/**
 * From this length on (UTF-16 units) a wallet is large: the suite takes care
 * not to hold it more often than it must (shared between the reads of one
 * version, not kept beside its hmac, held by a history as its change log).
 */
export const largeWalletLength = 64 * 1024;

/** What fills the padding: base64, as real clients send, or the JSON string range (escapes, NUL, non-ASCII, U+2028). */
export type WalletText = "base64" | "json";

export interface WalletSize {
  /** The wallet's size in UTF-8 bytes, change log included (at least the log's size). */
  bytes: number;
  text: WalletText;
}

export const walletTexts: readonly WalletText[] = ["base64", "json"];

/** Separates the change log from the padding; neither change ids nor padding contain it. */
export const paddingMarker = "~";

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** What a JSON string may hold that naive storage mangles: escapes, control characters, NUL, non-ASCII, line separators, an astral character. Lone surrogates aside (spec/protocol.md, SEQ-8). */
const jsonRange = '"\\/\b\f\n\r\t\u0000\u001fé\u00ff\u2028\u2029€\u{1F600}';

/** The change log of a wallet: the wallet without its padding. */
export function changeLogOf(encryptedWallet: string): string {
  const marker = encryptedWallet.indexOf(paddingMarker);
  return marker < 0 ? encryptedWallet : encryptedWallet.slice(0, marker);
}

/** The log followed by padding up to `size` bytes (the log alone when it is that large already). */
export function padWallet(log: string, size: WalletSize | undefined): string {
  if (size === undefined) return log;
  const room = size.bytes - Buffer.byteLength(log, "utf8") - paddingMarker.length;
  if (room <= 0) return log;
  const lead = size.text === "json" && Buffer.byteLength(jsonRange, "utf8") <= room ? jsonRange : "";
  const rest = room - Buffer.byteLength(lead, "utf8");
  return log + paddingMarker + lead + base64Alphabet.repeat(Math.ceil(rest / base64Alphabet.length)).slice(0, rest);
}

/**
 * The size `encryptedWallet` was padded to, when padWallet writes exactly it
 * again from its change log; undefined for any other content (no padding,
 * or padding this module did not write).
 */
export function paddedSizeOf(encryptedWallet: string): WalletSize | undefined {
  const marker = encryptedWallet.indexOf(paddingMarker);
  if (marker < 0) return undefined;
  // JSON padding starts with the JSON range, whose first character base64 has not.
  const size: WalletSize = { bytes: Buffer.byteLength(encryptedWallet, "utf8"), text: encryptedWallet.startsWith(jsonRange[0]!, marker + 1) ? "json" : "base64" };
  return padWallet(encryptedWallet.slice(0, marker), size) === encryptedWallet ? size : undefined;
}
