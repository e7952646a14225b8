// NOTIFY-2 and NOTIFY-3: what the account's sockets receive. A socket open
// throughout a POST /wallet answered 200 (upgraded before the POST was sent,
// still open when its client closed it at the end of the run, after the
// settle period) receives `wallet-update:n` for the POST's sequence n; late
// frames are fine as long as they come before that end. A password change
// notifies nobody (it closes sockets instead), so nothing is demanded for it.
// Every wallet-update frame names a sequence some write that may have taken
// effect had been sent for, and one socket's sequences strictly increase.
// Frames that announce nothing (a greeting, a binary frame) are ignored, as
// clients ignore them: NOTIFY-3 speaks of wallet-update frames only, and a
// server whose announcements do not parse misses them (NOTIFY-2). Sockets whose token
// an acknowledged password change ended are NOTIFY-4's (password-changes.ts):
// they should not be open at all.
import type { AccountOperations } from "./account-operations.js";
import { capitalize, type Narrator, type ViolationLog } from "./findings.js";
import type { PostOperation, SocketFrame, SocketOperation } from "./history.js";
import { describeSocket, tokenKey, type PasswordChanges } from "./password-changes.js";
import type { AccountVersions } from "./versions.js";

/**
 * The walletUpdate message's payload (spec/api3/asyncapi.yaml), declared here
 * since the checker core imports nothing outside its folder; a test keeps it
 * spec/notifications.ts's.
 */
const walletUpdate = /^wallet-update:([1-9][0-9]*)$/;

/** The sequence a frame announces, or undefined when it is no wallet-update frame. */
export function announcedSequence(text: string): number | undefined {
  const match = walletUpdate.exec(text);
  return match ? Number(match[1]) : undefined;
}

export function checkNotifications(
  group: AccountOperations,
  versions: AccountVersions,
  changes: PasswordChanges,
  narrator: Narrator,
  log: ViolationLog,
): void {
  if (group.sockets.length === 0) return;
  const acknowledged = group.writes.filter((write): write is PostOperation => write.kind === "post" && write.outcome.type === "ok");
  for (const socket of group.sockets) {
    if (socket.outcome.type !== "ok") continue;
    checkFrames(socket, group, versions, narrator, log);
    if (!changes.endedTokens.has(tokenKey(socket.client, socket.tokenGeneration))) {
      checkDelivered(socket, acknowledged, group.account, narrator, log);
    }
  }
}

/** NOTIFY-3: each wallet-update frame announces a sequence that may have been stored by then, newer than the one before. */
function checkFrames(socket: SocketOperation, group: AccountOperations, versions: AccountVersions, narrator: Narrator, log: ViolationLog): void {
  const report = (frame: SocketFrame, problem: string, others: number[] = []) =>
    log.add({
      requirement: "NOTIFY-3",
      account: group.account,
      explanation: `${capitalize(describeSocket(socket, narrator))}, received ${JSON.stringify(frame.text)} at ${narrator.at(frame.at)}: ${problem}.`,
      operations: [socket.id, ...others],
    });
  let previous: number | undefined;
  let reportedOrder = false;
  let reportedUnstored = false;
  for (const frame of socket.frames) {
    const sequence = announcedSequence(frame.text);
    if (sequence === undefined) continue;
    if (!reportedOrder && previous !== undefined && sequence <= previous) {
      reportedOrder = true;
      report(frame, `after wallet-update:${previous}, the sequences one socket receives must increase`);
    }
    previous = sequence;
    if (reportedUnstored) continue;
    const writes = versions.bySequence.get(sequence)?.writes ?? [];
    if (writes.some((write) => write.outcome.type !== "refused" && write.invokedAt < frame.at)) continue;
    reportedUnstored = true;
    // Context, not proof: the refused writes sent last before the frame, which a checker that forgot older ones still has.
    const refused = writes
      .filter((write) => write.outcome.type === "refused" && write.invokedAt < frame.at)
      .sort((a, b) => b.invokedAt - a.invokedAt)
      .slice(0, 2);
    const fates = refused.map((write) => `${narrator.post(write)} was ${narrator.postFate(write)}`);
    const why = fates.length > 0 ? ` (${fates.join("; ")})` : "";
    report(
      frame,
      `no write of sequence ${sequence} that could have stored it had been sent by then${why}, and a socket is told only of stored versions`,
      refused.map((write) => write.id),
    );
  }
}

/** NOTIFY-2: a socket open throughout an acknowledged POST received its frame. */
function checkDelivered(socket: SocketOperation, acknowledged: readonly PostOperation[], account: string, narrator: Narrator, log: ViolationLog): void {
  const closed = socket.closed;
  // Only a socket its client closed at the end was open throughout; with frames dropped over the cap, none is known to be missing.
  if (closed?.by !== "client" || (socket.framesDropped ?? 0) > 0) return;
  const received = new Set<number>();
  for (const frame of socket.frames) {
    const sequence = announcedSequence(frame.text);
    if (sequence !== undefined) received.add(sequence);
  }
  const missing = acknowledged.filter(
    (post) => post.invokedAt > socket.completedAt && post.completedAt < closed.at && !received.has(post.request.sequence),
  );
  const [first] = missing;
  if (!first) return;
  const more = missing.length > 1 ? ` (and ${missing.length - 1} more accepted POST${missing.length > 2 ? "s" : ""} without their frame)` : "";
  log.add({
    requirement: "NOTIFY-2",
    account,
    explanation: `${capitalize(describeSocket(socket, narrator))} and open until its client closed it at ${narrator.at(closed.at)}, never received wallet-update:${first.request.sequence}, though ${narrator.post(first)}, sent at ${narrator.at(first.invokedAt)}, was accepted at ${narrator.at(first.completedAt)}${more}.`,
    operations: [socket.id, first.id],
  });
}
