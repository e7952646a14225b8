// The history checker's contract, in one place: its passes in the order
// checkHistory runs them (checkAccount, per account; the online checker runs
// the same on windows of an account), each with the requirements it checks, what it
// reads and what it returns. Each pass reads only what the passes before it
// returned and changes nothing another pass returned. The docs' traceability
// matrix reads this table, so a requirement leads to its module in one step.
import type { HistoryRequirement } from "./findings.js";

export interface HistoryPass {
  /** The function checkHistory calls. */
  name: string;
  /** Its module, in this folder. */
  module: string;
  /** Requirements whose violations (or warnings) it reports; empty for passes that only derive facts. */
  checks: readonly (HistoryRequirement | "LIN-7")[];
  /** Requirements a violation of it also names as related. */
  related?: readonly string[];
  reads: string;
  returns: string;
}

export const historyPasses: readonly HistoryPass[] = [
  {
    name: "groupByAccount",
    module: "account-operations.ts",
    checks: [],
    reads: "the operations",
    returns: "each account's requests, writes (POSTs and password changes with a wallet) by sequence, auths, password changes and sockets",
  },
  {
    name: "examineReturnedWallets",
    module: "returned-wallets.ts",
    checks: ["LIN-3", "TOKEN-1"],
    reads: "the account's requests",
    returns: "every answer that shows the account's wallet, with the POST that wrote it; accepted POSTs that echoed another wallet",
  },
  {
    name: "collectVersions",
    module: "versions.ts",
    checks: [],
    reads: "writes by sequence, the answers",
    returns: "one read-only VersionFacts per sequence: its writes, candidates, acceptances and returned copies",
  },
  {
    name: "checkSingleAcceptance",
    module: "versions.ts",
    checks: ["LIN-2", "PASS-1"],
    related: ["SEQ-6", "LIN-2"],
    reads: "the versions",
    returns: "the duplicated versions and their acceptances, which later passes leave alone",
  },
  {
    name: "checkPredecessors",
    module: "predecessors.ts",
    checks: ["LIN-1"],
    related: ["SEQ-2"],
    reads: "the versions",
    returns: "when each version was stored at the latest; the versions stored without their predecessor",
  },
  {
    name: "nameWriters",
    module: "writers.ts",
    checks: [],
    reads: "the versions, duplicated versions, storage times, bad echoes",
    returns: "the POST that wrote each unambiguous version",
  },
  {
    name: "checkContentChain",
    module: "content-chain.ts",
    checks: ["LIN-1", "LIN-5"],
    reads: "the versions, their writers, duplicated versions, versions without predecessor (append-log contents only)",
    returns: "nothing",
  },
  {
    name: "checkRealTimeOrder",
    module: "real-time.ts",
    checks: ["LIN-4", "LIN-6", "LIN-2", "PASS-1"],
    related: ["SEQ-6", "LIN-2"],
    reads: "the answers, duplicated versions and acceptances",
    returns: "nothing",
  },
  {
    name: "checkReplacedTokens",
    module: "replaced-tokens.ts",
    checks: ["TOKEN-2"],
    reads: "the account's auths and the requests that carry a token",
    returns: "nothing",
  },
  {
    name: "collectPasswordChanges",
    module: "password-changes.ts",
    checks: [],
    reads: "the account's password changes",
    returns: "what the acknowledged ones ended: each token, each old password, and which change set each new password",
  },
  {
    name: "checkEndedCredentials",
    module: "password-changes.ts",
    checks: ["PASS-2"],
    reads: "the requests that carry a token, auths and password changes, what the changes ended",
    returns: "nothing",
  },
  {
    name: "checkRefusedPasswordChanges",
    module: "password-changes.ts",
    checks: ["PASS-4"],
    reads: "the password changes without a wallet, the answers that showed a wallet, auths and password changes refused with 409",
    returns: "nothing",
  },
  {
    name: "checkClosedSockets",
    module: "password-changes.ts",
    checks: ["NOTIFY-4"],
    reads: "the sockets, what the changes ended",
    returns: "nothing",
  },
  {
    name: "checkNotifications",
    module: "notifications.ts",
    checks: ["NOTIFY-2", "NOTIFY-3"],
    reads: "the sockets and their frames, the accepted POSTs, the versions, the tokens the changes ended",
    returns: "nothing",
  },
  {
    name: "checkDurability",
    module: "durability.ts",
    checks: ["DUR-1", "DUR-2"],
    related: ["LIN-4"],
    reads: "the server's crashes (history events), the answers, signups and auths",
    returns: "nothing",
  },
  {
    name: "resolveIndeterminatePosts",
    module: "resolution.ts",
    checks: [],
    reads: "the versions, duplicated versions, storage times, writers",
    returns: "what became of each POST without a settling answer (informational)",
  },
  {
    name: "countServerErrors",
    module: "server-errors.ts",
    checks: ["LIN-7"],
    reads: "the operations",
    returns: "SHOULD-level warnings",
  },
];
