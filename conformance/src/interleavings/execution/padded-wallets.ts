// A history holds every wallet its devices posted for as long as its workload
// runs and is judged. A device that loses a race posts its padded edit again
// on each new base, so a workload of eight devices may post dozens of
// versions of 1 MB (2 MB in memory when their padding holds characters past
// U+00FF). The suite wrote that padding itself: a history keeps such a
// version as its change log and size, and writes it out again whenever it is
// read, which the checker does for a few of them at most.
import type { PostedWallet } from "../../history/history.js";
import { detachedCopy } from "../../client/detached-copy.js";
import { changeLogOf, largeWalletLength, paddedSizeOf, padWallet } from "../../client/wallet-size.js";

/**
 * `request`, with its wallet turned into a property that writes it again
 * from its change log and size, when the suite padded it; as it was otherwise.
 */
export function heldCompactly<T extends PostedWallet>(request: T): T {
  const wallet = request.encryptedWallet;
  if (wallet.length < largeWalletLength) return request;
  const size = paddedSizeOf(wallet);
  if (size === undefined) return request;
  const log = detachedCopy(changeLogOf(wallet));
  Object.defineProperty(request, "encryptedWallet", { get: () => padWallet(log, size), enumerable: true, configurable: true });
  return request;
}
