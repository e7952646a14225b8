// The worker processes of --workers N: each is started with its plan, its
// progress is merged into one, an interruption is passed on to all of them,
// and what each found comes back over the IPC channel. A worker that ends
// without reporting is a fault of the suite: the others are stopped, and the
// error names the worker and the last words of its stderr.
import { fork, type ChildProcess } from "node:child_process";
import { dirname, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type { CaseProgress } from "../../model/context.js";
import { mergeProgress } from "./merge.js";
import { workerName, type FromWorker, type ToWorker, type WorkerPlan, type WorkerReport } from "./plan.js";

export interface WorkersRun {
  /** In worker order. */
  reports: WorkerReport[];
  /** From starting the first worker to the last one's report. */
  wallMs: number;
}

export interface WorkersOptions {
  /** Aborted on SIGINT or SIGTERM: every worker finishes what is in flight and reports what it ran. */
  interrupt?: AbortSignal;
  /** The workers' progress as one, with their memory and this process's. */
  onProgress?: (progress: CaseProgress) => void;
}

/**
 * The compiled worker, a runner of the run stage (run/worker-process.ts): a
 * path, not an import, so that this stage imports none of the run's. The
 * tests run the TypeScript sources, whose compiled worker is under dist/.
 */
function workerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".js")) return resolve(dirname(here), "../../run/worker-process.js");
  return resolve(dirname(here), "../../../../dist/conformance/src/run/worker-process.js");
}

/** Bytes of a worker's stderr kept to say why it ended. */
const stderrTailBytes = 2_000;

export async function runWorkers(plans: readonly WorkerPlan[], options: WorkersOptions = {}): Promise<WorkersRun> {
  const started = performance.now();
  const progresses = new Map<number, { progress: CaseProgress; rssBytes: number }>();
  const progressed = (index: number, progress: CaseProgress, rssBytes: number) => {
    progresses.set(index, { progress, rssBytes });
    const all = [...progresses.values()];
    const rss = all.reduce((total, worker) => total + worker.rssBytes, process.memoryUsage.rss());
    options.onProgress?.({ ...mergeProgress(all.map((worker) => worker.progress), plans.length), rssBytes: rss });
  };
  const workers = plans.map((plan) => startWorker(plan, progressed));
  const interruptAll = (reason: string) => workers.forEach((worker) => tell(worker.child, { type: "interrupt", reason }));
  const onInterrupt = () => interruptAll(typeof options.interrupt?.reason === "string" ? options.interrupt.reason : "interrupted");
  options.interrupt?.addEventListener("abort", onInterrupt, { once: true });
  try {
    // One worker's fault stops the others: the run cannot report as one without it.
    workers.forEach((worker) => worker.report.catch(() => interruptAll("another worker failed")));
    const settled = await Promise.allSettled(workers.map((worker) => worker.report));
    const failed = settled.find((outcome) => outcome.status === "rejected");
    if (failed) throw failed.reason;
    return { reports: settled.map((outcome) => (outcome as PromiseFulfilledResult<WorkerReport>).value), wallMs: performance.now() - started };
  } finally {
    options.interrupt?.removeEventListener("abort", onInterrupt);
  }
}

interface StartedWorker {
  child: ChildProcess;
  report: Promise<WorkerReport>;
}

function startWorker(plan: WorkerPlan, onProgress: (index: number, progress: CaseProgress, rssBytes: number) => void): StartedWorker {
  const child = fork(workerEntry(), [], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-stderrTailBytes)));
  let results: WorkerReport["results"] | undefined;
  child.on("message", (message: FromWorker) => {
    if (message.type === "progress") onProgress(plan.index, message.progress, message.rssBytes);
    else results = message.results;
  });
  const name = workerName({ index: plan.index, seed: plan.interleavings.seed }, plan.count);
  const report = new Promise<WorkerReport>((resolve, reject) => {
    child.once("error", (error) => reject(new Error(`${name} could not start: ${error.message}`)));
    // After its streams and channel closed: every message it sent has come.
    child.once("close", (code, signal) => {
      if (results !== undefined) return resolve({ index: plan.index, seed: plan.interleavings.seed, results });
      const said = stderr.trim().split("\n").slice(-3).join(" / ");
      reject(new Error(`${name} ended (${signal ?? `exit status ${code}`}) without reporting${said ? `: ${said}` : ""}`));
    });
  });
  tell(child, { type: "run", plan });
  return { child, report };
}

/** Sends a message to a worker that may have ended already. */
function tell(child: ChildProcess, message: ToWorker): void {
  if (!child.connected) return;
  child.send(message, (error) => void error);
}
