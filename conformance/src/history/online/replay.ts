// Feeds a finished history to an online checker as a live run would have:
// operations in order of completion, a socket at its upgrade (open), its
// frames as they arrived and its close when it came, the server's crashes
// at their time. What the online checker then finds is what it would have
// found while the history was recorded.
import { earliestInvocation } from "../checker.js";
import type { History, Millis, Operation, SocketOperation } from "../history.js";
import { OnlineChecker, type OnlineCheck, type OnlineOptions } from "./online-checker.js";

type Step = { at: Millis; order: number; run: () => void };

/** `options.maxOperationMs` defaults to the history's longest request (its timeout bounds it in a live run). */
export function checkHistoryOnline(history: History, options: Partial<OnlineOptions> = {}): OnlineCheck {
  const checker = new OnlineChecker({
    contentModel: history.contentModel,
    ...(history.profile ? { profile: history.profile } : {}),
    origin: earliestInvocation(history.operations),
    ...options,
    maxOperationMs: options.maxOperationMs ?? longestRequest(history.operations),
  });
  const steps: Step[] = [];
  const at = (time: Millis, run: () => void) => steps.push({ at: time, order: steps.length, run });
  for (const op of history.operations) {
    if (op.kind === "socket" && op.outcome.type === "ok") liveSocket(op, at, checker);
    else at(op.completedAt, () => checker.add(op));
  }
  for (const event of history.events ?? []) at(event.at, () => checker.event(event));
  steps.sort((a, b) => a.at - b.at || a.order - b.order);
  for (const step of steps) step.run();
  return checker.finish();
}

/** A copy of the socket, added at its upgrade, that receives its frames and its close at their times. */
function liveSocket(socket: SocketOperation, at: (time: Millis, run: () => void) => void, checker: OnlineChecker): void {
  const { frames, closed, ...upgrade } = socket;
  const live: SocketOperation = { ...upgrade, frames: [] };
  at(socket.completedAt, () => checker.add(live));
  for (const frame of frames) at(frame.at, () => live.frames.push(frame));
  if (closed) at(closed.at, () => (live.closed = closed));
}

function longestRequest(operations: readonly Operation[]): Millis {
  let longest = 0;
  for (const op of operations) if (op.kind !== "socket") longest = Math.max(longest, op.completedAt - op.invokedAt);
  return longest;
}
