// The faults the suite's proxy injects into single requests, as data: adding
// a kind is one entry here and one branch in fault-proxy.ts. The client
// names the fault for a request in a header that the proxy strips, so the
// proxy and the workload share nothing but this table.

export const faultHeader = "x-wallet-sync-fault";

/** How long a delay fault holds the request or the answer. */
export const faultDelayMs = 30;

export const faultKinds = {
  "hangup-after-send": {
    description: "the client hangs up right after the request is written: the server sees a cancelled request",
    takesEffect: "maybe",
  },
  "drop-answer": {
    description: "the answer is dropped after the server sent it: the request took effect, the client never learns",
    takesEffect: "maybe",
  },
  "reset-before-forward": {
    description: "the connection is reset before the request reaches the server: no effect, the client cannot tell",
    takesEffect: "no",
  },
  "delay-request": {
    description: `the request is held ${faultDelayMs} ms on its way in`,
    takesEffect: "as answered",
  },
  "delay-answer": {
    description: `the answer is held ${faultDelayMs} ms on its way out`,
    takesEffect: "as answered",
  },
} as const satisfies Record<string, { description: string; takesEffect: "maybe" | "no" | "as answered" }>;

export type FaultKind = keyof typeof faultKinds;

export const faultKindNames = Object.keys(faultKinds) as FaultKind[];

export function isFaultKind(value: unknown): value is FaultKind {
  return typeof value === "string" && Object.hasOwn(faultKinds, value);
}
