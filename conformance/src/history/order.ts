// Sorting by time, cheaply: a recorded history is in completion order, so
// most lists are sorted already or nearly. Each sort checks first and skips
// the work when the list is in order; comparators return -1, 0 or 1, since a
// difference of fractional times would be a new heap number on every call.
import type { Operation } from "./history.js";

export function compareTimes(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts items that hold an operation by the time it was answered. */
export function sortByCompletion<T extends { op: Operation }>(items: T[]): void {
  for (let index = 1; index < items.length; index++) {
    if (items[index - 1]!.op.completedAt > items[index]!.op.completedAt) {
      items.sort((a, b) => compareTimes(a.op.completedAt, b.op.completedAt));
      return;
    }
  }
}

/** Sorts operations by the time they were answered. */
export function sortOperationsByCompletion(operations: Operation[]): void {
  for (let index = 1; index < operations.length; index++) {
    if (operations[index - 1]!.completedAt > operations[index]!.completedAt) {
      operations.sort((a, b) => compareTimes(a.completedAt, b.completedAt));
      return;
    }
  }
}

/** Sorts items that hold an operation by the time it was sent. */
export function sortByInvocation<T extends { op: Operation }>(items: T[]): void {
  for (let index = 1; index < items.length; index++) {
    if (items[index - 1]!.op.invokedAt > items[index]!.op.invokedAt) {
      items.sort((a, b) => compareTimes(a.op.invokedAt, b.op.invokedAt));
      return;
    }
  }
}

/** Sorts items by ascending sequence. */
export function sortBySequence<T extends { sequence: number }>(items: T[]): void {
  for (let index = 1; index < items.length; index++) {
    if (items[index - 1]!.sequence > items[index]!.sequence) {
      items.sort((a, b) => compareTimes(a.sequence, b.sequence));
      return;
    }
  }
}
