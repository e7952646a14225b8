// Sockets that stay open across cuts: each window judges a socket's frames
// that came since the last one (NOTIFY-3), and once it is closed, whether it
// received what it should have (NOTIFY-2, NOTIFY-4). The window sees a view
// of the socket: the new frames, the last frame judged (where the order
// check resumes), and the earlier frames that announce an accepted POST the
// window holds (what NOTIFY-2 counts as received); open, it has no end yet,
// so only its frames are judged.
import type { Violation } from "../findings.js";
import type { Millis, Operation, SocketOperation } from "../history.js";
import { announcedSequence } from "../notifications.js";

export interface OpenSocket {
  socket: SocketOperation;
  /** Frames judged by earlier windows. */
  judgedFrames: number;
  /** Violations about this socket already reported, by requirement and operations: a socket is judged again in each window. */
  reported?: Set<string>;
}

export interface SocketViews {
  /** Views to judge in this window. */
  judged: SocketOperation[];
  /** The sockets still open after the cut. */
  stillOpen: OpenSocket[];
  /** False for a violation about a socket that an earlier window reported already. */
  firstReport(violation: Violation): boolean;
}

export function socketViews(open: readonly OpenSocket[], window: readonly Operation[], cutAt: Millis): SocketViews {
  const acknowledged = new Set<number>();
  for (const op of window) if (op.kind === "post" && op.outcome.type === "ok") acknowledged.add(op.request.sequence);
  const judged: SocketOperation[] = [];
  const judgedEntries = new Map<number, OpenSocket>();
  const stillOpen: OpenSocket[] = [];
  for (const entry of open) {
    const { socket, judgedFrames } = entry;
    if (socket.completedAt >= cutAt) {
      stillOpen.push(entry);
      continue;
    }
    const closed = socket.closed !== undefined && socket.closed.at < cutAt;
    let end = judgedFrames;
    while (end < socket.frames.length && (closed || socket.frames[end]!.at < cutAt)) end++;
    if (!closed && end === judgedFrames) {
      stillOpen.push(entry);
      continue;
    }
    const frames = socket.frames.filter((frame, index) => {
      if (index >= judgedFrames) return index < end;
      if (index === judgedFrames - 1) return true;
      const sequence = announcedSequence(frame.text);
      return sequence !== undefined && acknowledged.has(sequence);
    });
    const view: SocketOperation = { ...socket, frames };
    if (!closed) delete view.closed;
    judged.push(view);
    judgedEntries.set(socket.id, entry);
    entry.judgedFrames = end;
    if (!closed) stillOpen.push(entry);
  }
  return {
    judged,
    stillOpen,
    firstReport(violation) {
      const entry = violation.operations.map((id) => judgedEntries.get(id)).find((found) => found !== undefined);
      if (!entry) return true;
      const key = `${violation.requirement} ${violation.operations.join(",")}`;
      entry.reported ??= new Set();
      if (entry.reported.has(key)) return false;
      entry.reported.add(key);
      return true;
    },
  };
}
