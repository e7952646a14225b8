// Many operations of a history hold the same large wallet: every device reads
// the version another posted, a 409 answers with it again, and each answer is
// parsed into a copy of its own. A history that holds one string per large
// version, not one per operation, keeps a 1 MB wallet read by four devices
// once instead of four times, however long the workload holds its history.

/** Wallets shorter than this are kept as they come: sharing them saves little. */
export const sharedFromLength = 64 * 1024;
/** Distinct large wallets remembered, newest first: a workload's accounts each have a version or two in flight. */
const remembered = 8;

/** Hands out, for a large wallet, the string of an equal one seen lately. */
export class SharedWallets {
  private readonly recent: string[] = [];

  /** `content`, or an earlier string equal to it. */
  share(content: string): string {
    if (content.length < sharedFromLength) return content;
    const recent = this.recent;
    // === compares lengths first, and contents only of equal lengths.
    const index = recent.indexOf(content);
    const shared = index >= 0 ? recent.splice(index, 1)[0]! : content;
    recent.unshift(shared);
    if (recent.length > remembered) recent.pop();
    return shared;
  }
}
