// The largest wallet a server accepts, found once per run before the
// workloads start, so that edits can store wallets of that size: bisection
// between an accepted size (answered 200) and a refused one (413, or any
// other answer), within the largest body the suite sends. It judges nothing: a server that
// keeps a wallet cut or altered is caught where the wallet is read back
// (SEQ-8 in the contract checks, LIN-3 in histories).
import { randomBytes } from "node:crypto";
import type { ProtocolClient } from "../../client/protocol-client.js";
import { WalletClient } from "../../client/wallet-client.js";
import { padWallet } from "../../client/wallet-size.js";
import { maxProbedWalletBytes } from "../../defaults.js";

/** The smallest wallet the probe starts from: a server that refuses it stores nothing worth probing. */
const smallestProbeBytes = 1024;
/** The bisection stops once it knows the limit this closely (a 64th of it, or 1 KiB). */
const precision = (bytes: number) => Math.max(1024, Math.floor(bytes / 64));

export interface WalletSizeProbe {
  /** The largest wallet, in UTF-8 bytes, that the server stored; undefined when not even a small one was. */
  largestAcceptedBytes?: number;
  /** The smallest size it refused, if any was (a limit below the suite's own). */
  smallestRefusedBytes?: number;
  /** POSTs the probe made. */
  posts: number;
}

export async function probeLargestWallet(protocol: ProtocolClient, unique: (label: string) => string, ceiling = maxProbedWalletBytes): Promise<WalletSizeProbe> {
  const client = new WalletClient(protocol, { deviceId: unique("largest-wallet") });
  client.setAccount(`ws-${unique("largest-wallet")}@example.com`, randomBytes(12).toString("hex"));
  const probe: WalletSizeProbe = { posts: 0 };
  if ((await client.register()).response?.status !== 201) return probe;
  if ((await client.getAuthToken()).response?.status !== 200) return probe;
  // The probe keeps its own sequence: a server that stores a wallet altered (cut, re-encoded) still took it.
  let stored = 0;
  const accepts = async (bytes: number): Promise<boolean> => {
    probe.posts++;
    const encryptedWallet = padWallet(`-:probe${probe.posts}`, { bytes, text: "base64" });
    const status = (await protocol.postWallet(client.walletPost({ sequence: stored + 1, encryptedWallet }))).response?.status;
    if (status === 200) stored++;
    // Refused yet stored (a write that lands after an error): the stored sequence says where to go on from.
    else if (status === 409) stored = (await storedSequence(protocol, client.authToken)) ?? stored;
    return status === 200;
  };
  if (!(await accepts(smallestProbeBytes))) return probe;
  let accepted = smallestProbeBytes;
  if (await accepts(ceiling)) return { ...probe, largestAcceptedBytes: ceiling };
  let refused = ceiling;
  while (refused - accepted > precision(accepted)) {
    const middle = Math.floor((accepted + refused) / 2);
    if (await accepts(middle)) accepted = middle;
    else refused = middle;
  }
  return { ...probe, largestAcceptedBytes: accepted, smallestRefusedBytes: refused };
}

async function storedSequence(protocol: ProtocolClient, token: string): Promise<number | undefined> {
  const sequence = (await protocol.getWallet(token)).response?.json as { sequence?: unknown } | undefined;
  return typeof sequence?.sequence === "number" ? sequence.sequence : undefined;
}
