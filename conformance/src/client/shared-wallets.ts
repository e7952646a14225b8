// A large wallet comes again and again: every device of an account reads the
// version one of them posted, and a 409 answers with it once more. Each answer
// is parsed into a copy of its own, which its device keeps as its base and its
// history keeps as what it read. Handing out one string per large version
// instead keeps a 1 MB wallet read by four devices once instead of four times.

import { largeWalletLength } from "./wallet-size.js";

/** Distinct large wallets remembered, newest first: a workload's accounts each have a version or two in flight. */
const remembered = 8;

/** Hands out, for a large wallet, the string of an equal one seen lately. */
export class SharedWallets {
  private readonly recent: string[] = [];

  /** `content`, or an earlier string equal to it; remembered either way. */
  share(content: string): string {
    if (content.length < largeWalletLength) return content;
    const recent = this.recent;
    // === compares lengths first, and contents only of equal lengths.
    const index = recent.indexOf(content);
    const shared = index >= 0 ? recent.splice(index, 1)[0]! : content;
    recent.unshift(shared);
    if (recent.length > remembered) recent.pop();
    return shared;
  }
}

/** The body's `encryptedWallet`, if it is a string, made the shared one (the body is changed in place). */
export function shareWalletIn(body: unknown, wallets: SharedWallets): void {
  if (typeof body !== "object" || body === null || !("encryptedWallet" in body)) return;
  const content = body.encryptedWallet;
  if (typeof content === "string") (body as { encryptedWallet: string }).encryptedWallet = wallets.share(content);
}
