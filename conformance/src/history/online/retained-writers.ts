// The writes every account still holds, by hmac: where a window looks for
// the account whose write sent a wallet that no write of its own sent
// (TOKEN-1). Kept up to date as operations come and cuts drop them, so a
// lookup costs no pass over other accounts.
import { isWrite, sameVersion, type Millis, type Operation, type WalletVersion, type WriteOperation } from "../history.js";
import type { WriterIndex } from "../returned-wallets.js";

export class RetainedWriters implements WriterIndex {
  private readonly byHmac = new Map<string, Set<WriteOperation>>();

  add(op: Operation): void {
    if (!isWrite(op)) return;
    const writes = this.byHmac.get(op.request.hmac);
    if (writes) writes.add(op);
    else this.byHmac.set(op.request.hmac, new Set([op]));
  }

  remove(op: Operation): void {
    if (!isWrite(op)) return;
    const writes = this.byHmac.get(op.request.hmac);
    if (!writes) return;
    writes.delete(op);
    if (writes.size === 0) this.byHmac.delete(op.request.hmac);
  }

  find(wallet: WalletVersion, account: string, sentBefore: Millis): WriteOperation | undefined {
    for (const write of this.byHmac.get(wallet.hmac) ?? []) {
      if (write.account !== account && write.invokedAt < sentBefore && sameVersion(write.request, wallet)) return write;
    }
    return undefined;
  }
}
