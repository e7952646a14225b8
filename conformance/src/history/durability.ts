// DUR-1 and DUR-2: what was acknowledged before the server crashed is there
// after it restarted. Only a history that records crashes (--restarts) has
// anything to check; a node of a deployment is judged by its own answers
// after its restart. A version acknowledged before a crash and missing from
// an answer to a request sent after it is a loss the crash caused; so is an
// account whose login is refused after the crash although its signup or a
// login had succeeded before it.
import type { AccountOperations } from "./account-operations.js";
import { capitalize, type Narrator, type ViolationLog } from "./findings.js";
import type { Operation, ServerEvent } from "./history.js";
import { describeShown, describeSubject } from "./real-time.js";
import type { WalletAnswer, WalletAnswers } from "./returned-wallets.js";

/** The crashes among the events, in time order. */
export function crashesOf(events: readonly ServerEvent[] | undefined): ServerEvent[] {
  return (events ?? []).filter((event) => event.kind === "crash").sort((a, b) => a.at - b.at);
}

/** What the durability pass reported: the operations its violations name, at most two per crash and two for the account. */
export interface DurabilityFindings {
  proofs: Operation[];
}

export function checkDurability(
  crashes: readonly ServerEvent[],
  group: AccountOperations,
  signups: readonly Operation[],
  found: WalletAnswers,
  narrator: Narrator,
  log: ViolationLog,
): DurabilityFindings {
  const proofs: Operation[] = [];
  if (crashes.length === 0) return { proofs };
  const reported = new Set<WalletAnswer>();
  let accountReported = false;
  for (const crash of crashes) {
    const { at } = crash;
    // A node's restart is judged by what that node answers after it (other nodes' answers are LIN-4's), an account by the node that had let it in.
    const onNode = (op: Operation) => crash.node === undefined || op.node === crash.node;
    const after = (op: Operation) => op.invokedAt > at && onNode(op);
    const crashed = crash.node === undefined ? "the server crashed" : `node ${crash.node} crashed`;
    const restart = crash.node === undefined ? "the restart" : `the restart of ${crash.node}`;
    const acknowledged = newestAcknowledgedBefore(found.answers, at);
    if (acknowledged && !reported.has(acknowledged)) {
      const lost = found.answers.find((answer) => after(answer.op) && answer.sequence < acknowledged.sequence);
      if (lost) {
        reported.add(acknowledged);
        proofs.push(lost.op, acknowledged.op);
        log.add({
          requirement: "DUR-1",
          related: ["LIN-4"],
          account: group.account,
          explanation: capitalize(
            `${describeShown(acknowledged, narrator)}, and ${crashed} at ${narrator.at(at)}; after it, ${describeSubject(lost, narrator)}: the acknowledged version ${acknowledged.sequence} did not survive ${restart}.`,
          ),
          operations: [lost.op.id, acknowledged.op.id],
        });
      }
    }
    if (accountReported) continue;
    // Refused with a password that had let the account in before the crash, and that no password change may have replaced since (api3).
    let existed: Operation | undefined;
    const refused = group.auths.find((op) => {
      if (!after(op) || op.outcome.type !== "refused" || !unknownCredentials.has(op.outcome.status)) return false;
      const password = passwordOf(op);
      if (group.passwords.some((change) => change.oldPassword === password && change.outcome.type !== "refused" && change.invokedAt < op.completedAt)) return false;
      existed = [...signups, ...group.auths].find((before) => before.outcome.type === "ok" && before.completedAt < at && onNode(before) && passwordOf(before) === password);
      return existed !== undefined;
    });
    if (existed && refused && refused.outcome.type === "refused") {
      accountReported = true;
      proofs.push(refused, existed);
      log.add({
        requirement: "DUR-2",
        account: group.account,
        explanation: capitalize(
          `${narrator.op(existed)} had succeeded at ${narrator.at(existed.completedAt)}, and ${crashed} at ${narrator.at(at)}; after it, ${narrator.op(refused)}, sent at ${narrator.at(refused.invokedAt)}, was refused (${refused.outcome.status}) with the same email and password: the account did not survive ${restart}.`,
        ),
        operations: [refused.id, existed.id],
      });
    }
  }
  return { proofs };
}

/** The label of the password an operation gave: a signup's is "p0", as is every auth's where passwords never change. */
function passwordOf(op: Operation): string {
  return (op.kind === "auth" ? op.password : undefined) ?? "p0";
}

/** Answers that say the email and password log in to nothing (a 429 says nothing about the account). */
const unknownCredentials = new Set([401, 403, 404]);

/** The acknowledged (POST 200) version of highest sequence answered before `time`. */
function newestAcknowledgedBefore(answers: readonly WalletAnswer[], time: number): WalletAnswer | undefined {
  let newest: WalletAnswer | undefined;
  for (const answer of answers) {
    if (answer.via !== "echo" || answer.op.completedAt >= time) continue;
    if (!newest || answer.sequence > newest.sequence) newest = answer;
  }
  return newest;
}
