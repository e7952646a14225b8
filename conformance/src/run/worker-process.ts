// A worker process of --workers N (started by interleavings/workers/pool.ts):
// it runs the interleaving cases against the server as one process of
// --workers 1 would, with the plan its parent sends, reports progress as it
// goes and its results at the end. Signals are the parent's to take (a Ctrl-C
// reaches the whole process group): it passes an interruption on, and a
// worker whose parent is gone ends at once.
import { performance } from "node:perf_hooks";
import { interleavingCasesOf } from "../interleavings/property/cases.js";
import { runChecks } from "./run-checks.js";
import { trafficProfileNamed } from "../interleavings/workload/traffic.js";
import type { FromWorker, ToWorker, WorkerPlan } from "../interleavings/workers/plan.js";

const interrupt = new AbortController();
process.on("SIGINT", () => undefined);
process.on("SIGTERM", () => undefined);
process.on("disconnect", () => process.exit(130));
process.on("message", (message: ToWorker) => {
  if (message.type === "interrupt") interrupt.abort(message.reason);
  else void run(message.plan);
});

function send(message: FromWorker, then?: () => void): void {
  process.send?.(message, undefined, {}, () => then?.());
}

async function run(plan: WorkerPlan): Promise<void> {
  const { remainingMs, traffic: trafficName, ...interleavings } = plan.interleavings;
  // By name: replay commands leave out the default profile, known by identity.
  const traffic = trafficName !== undefined ? trafficProfileNamed(trafficName) : undefined;
  if (trafficName !== undefined && !traffic) throw new Error(`no traffic profile is named ${trafficName}`);
  const rss = () => process.memoryUsage.rss();
  const run = await runChecks(interleavingCasesOf(plan.profile), {
    profile: plan.profile,
    baseUrl: plan.nodeUrls[0]!,
    otherNodes: plan.nodeUrls.slice(1),
    timeoutMs: plan.timeoutMs,
    connection: plan.connection,
    runId: plan.runId,
    concurrency: 1,
    aloneRuns: 0,
    ...(plan.requestsPerSecond !== undefined ? { requestsPerSecond: plan.requestsPerSecond } : {}),
    interleavings: {
      ...interleavings,
      ...(traffic ? { traffic } : {}),
      ...(remainingMs !== undefined ? { deadline: performance.now() + remainingMs } : {}),
      // The workloads' interruption only, not the run's: every case still reports what the workloads found, whichever the parent runs.
      interrupt: interrupt.signal,
    },
    onProgress: (_check, progress) => send({ type: "progress", progress, rssBytes: rss() }),
  });
  // Ends once the results are handed to the channel: its connections must not keep it.
  send({ type: "results", results: run.results, rssBytes: rss() }, () => process.exit(0));
}
