// The command line of wallet-sync-conformance, parsed without side effects.
import { parseArgs } from "node:util";
import { parseHeaderLine } from "../client/connection.js";
import { defaultConcurrency, deepShrinkExecutions, defaultDepthCap, defaultRuns, defaultSettleMs, defaultShrinkBudgetMs, defaultTimeoutMs } from "../defaults.js";
import { fastCheckPathPattern, seedRange } from "../interleavings/property/settings.js";
import { routeLimits } from "../interleavings/workload/routing.js";
import { defaultTrafficProfile, trafficProfileNamed, trafficProfileNames, trafficProfiles, type TrafficProfile } from "../interleavings/workload/traffic.js";
import { workloadLimits } from "../interleavings/workload/workload.js";
import { reportWriters, type ReportWriter } from "../report/writers.js";
import { defaultProfile, isProfileName, profileNames, specProfile, type ProfileName } from "../../../spec/index.js";

export const program = "wallet-sync-conformance";

export interface CliOptions {
  /** --protocol: the profile the server speaks. */
  profile: ProfileName;
  /** The server to check, or the nodes of one deployment (--url given several times); empty: start the embedded reference and check it. */
  urls: string[];
  strict: boolean;
  timeoutMs: number;
  concurrency: number;
  /** --rate-limit: requests per second for the whole run; unlimited when absent. */
  requestsPerSecond?: number;
  list: boolean;
  only: string[];
  skip: string[];
  quiet: boolean;
  help: boolean;
  /** --runs, --seed and --path of the interleaving properties (LIN-*). */
  interleavings: {
    runs?: number;
    seed?: number;
    path?: string;
    settleMs?: number;
    durationMs?: number;
    shrinkBudgetMs?: number;
    depthCap?: number;
    /** --traffic: the profile the workloads are drawn as (absent: the default one). */
    traffic?: TrafficProfile;
    /** --rate: requests per second the workloads send at most. */
    rate?: number;
  };
  /** --replay: a saved counterexample file to execute again. */
  replay?: string;
  /** Report files asked for through the writers' flags. */
  reports: Array<{ writer: ReportWriter; file: string }>;
  /** --header: sent with every request. */
  headers: Record<string, string>;
  /** --ca: a PEM file of certificates to trust (read by main, not here). */
  caFile?: string;
  /** --insecure: accept any server certificate. */
  insecure: boolean;
  /** --baseline: known failures (read by main). */
  baselineFile?: string;
  /** --write-baseline: where to write the failures of this run as a baseline. */
  writeBaselineFile?: string;
  /** --fail-fast: stop at the first failed case. */
  failFast: boolean;
  /** --max-time: the run's budget in seconds. */
  maxTimeSeconds?: number;
  /** --wait-for: how long to keep probing a server that does not answer yet, in seconds. */
  waitForSeconds: number;
  /** --faults: inject faults into the randomized workloads' requests through the suite's proxy. */
  faults: boolean;
  /** --server-cmd: the command that starts the server, or one per --url (in order) that starts each node; the suite starts them, and with --restarts kills and restarts them. */
  serverCommands: string[];
  /** --restarts: crashes (SIGKILL) and restarts during the randomized workloads: of the one server over the run, or of nodes in each workload. */
  restarts: number;
  /** --workers: processes that each run the randomized workloads with accounts and a seed of their own, into one report; 1 runs them in this process. */
  workers: number;
}

/** A mistake in the command line; its message is one line. */
export class UsageError extends Error {
  override name = "UsageError";
}

export function usage(): string {
  const reportFlags = reportWriters.map((w) => `  --${`${w.flag} FILE`.padEnd(18)}${w.description}`);
  return [
    `Usage: ${program} [--url URL]... [options]`,
    `       ${program} check-history FILE   check the history in a JSON report or counterexample file again, without a server`,
    "",
    "Checks a wallet-sync server against spec/protocol.md and the OpenAPI document of its profile.",
    "Without --url it starts the embedded reference server and checks that.",
    "",
    ...profileNames.map(
      (name, index) =>
        `${index === 0 ? "  --protocol NAME     " : "                      "}${name}: ${specProfile(name).title}${name === defaultProfile ? " (default)" : ""}`,
    ),
    "  --url URL           the server's root, e.g. http://localhost:8090 or https://host/wallet-sync (a path prefix is kept;",
    "                      the profile adds its own, such as /api/3);",
    "                      given several times, the nodes of one deployment, which must behave as one server",
    "  --header 'N: V'     send this header with every request (repeatable; values are never printed)",
    "  --ca FILE           trust the certificates in this PEM file (a private CA)",
    "  --insecure          accept any server certificate",
    "  --wait-for SECONDS  keep trying the first request this long while the server does not answer yet",
    "  --strict            SHOULD findings fail the run too",
    `  --timeout MS        per-request timeout in milliseconds (default ${defaultTimeoutMs})`,
    `  --concurrency N     checks running at once (default ${defaultConcurrency})`,
    "  --rate-limit N      send at most N requests per second in all, for servers that publish a limit",
    "                      (a 429, or a 503 with Retry-After, is always waited for and retried)",
    "  --only PREFIXES     run only cases whose ID starts with one of these (comma-separated, e.g. SEQ,TOKEN-2)",
    "  --skip PREFIXES     leave out cases whose ID starts with one of these",
    "  --list              print every case as `ID level file title` and exit",
    "  --quiet             print only failures, warnings and the totals",
    `  --runs N            randomized concurrent workloads of the interleaving cases (default ${defaultRuns})`,
    "  --seed N            seed of those workloads, to generate the same ones again (printed with failures)",
    "  --path P            with --seed: fast-check path of a run's first failure to generate again (printed with failures)",
    "  --replay FILE       execute a saved counterexample workload again (its file is printed with failures)",
    `  --settle SECONDS    quiet period before the second round of final reads (default ${defaultSettleMs / 1000})`,
    "  --duration TIME     soak: keep running randomized workloads for TIME (90s, 10m, 2h) instead of --runs,",
    "                      beside long-lived accounts checked as they go; stops at the first violation",
    "  --traffic NAME      what the randomized workloads are drawn as, and the checked operations per second a",
    "                      trusted result needs (below it: exit 4):",
    ...trafficProfiles.map(
      (traffic) =>
        `                      ${`${traffic.name}:`.padEnd(15)}${traffic.stresses} (${describeMinimalRate(traffic)}${traffic === defaultTrafficProfile ? "; the default" : ""})`,
    ),
    "  --workers N         run the randomized workloads in N processes (N cores) at once, each with its own accounts and",
    "                      seed (the run's seed + its index, from 0), into one report; with --runs, each runs that many;",
    "                      --rate and --rate-limit are shared among them (default 1: in this process)",
    "  --rate N            the randomized workloads send at most N requests per second, their devices together (up to N at",
    "                      once after a pause); not below the traffic profile's minimal rate",
    `  --depth N           deepest history an account is advanced to before its devices race (default ${defaultDepthCap}, or the traffic`,
    "                      profile's; 70000 crosses 32767 and 65535)",
    `  --shrink-time SECONDS  time spent shrinking a failing workload (default ${defaultShrinkBudgetMs / 1000}, or ${deepShrinkExecutions} of its executions when it`,
    `                      is deeper than ${defaultDepthCap} versions)`,
    "  --faults            inject faults into the randomized workloads through a proxy of the suite: hang-ups after",
    "                      sending, dropped answers, resets, delays, on any request of a move; to https:// servers",
    "                      the proxy speaks TLS with --ca/--insecure",
    "  --server-cmd CMD    start the server with this shell command and wait until --url (or the first http:// URL",
    "                      the command prints) answers; stop it at the end. Given once per --url (in order): the",
    "                      command of each node of a deployment",
    "  --restarts N        with --server-cmd: kill the server (SIGKILL) N times during the randomized workloads and",
    "                      start it again; checks DUR-1 and DUR-2 (what was acknowledged survives). With a deployment:",
    `                      N node restarts in each workload, one node at a time, drawn with it (at most ${workloadLimits.restarts.max})`,
    "  --baseline FILE     known failures (YAML or JSON, each case ID with a reason): listed cases that fail do not",
    "                      fail the run; listed cases that pass are reported as stale entries",
    "  --write-baseline FILE  write this run's failures as a baseline (YAML; JSON when FILE ends in .json)",
    ...reportFlags,
    "  --max-time SECONDS  the run's time budget: randomized workloads are not started past 90% of it (the report",
    "                      counts those that ran)",
    "  --fail-fast         stop at the first failed case",
    "  --config FILE       take options from a YAML or JSON file (keys: the long option names; flags override it;",
    "                      schema: conformance/config-schema.json)",
    "  -h, --help          print this help",
    "",
    "Proxies are taken from HTTPS_PROXY, HTTP_PROXY and NO_PROXY.",
    "",
    "Exit status: 0 the server conforms; 1 a MUST requirement failed (or a SHOULD one with --strict);",
    "2 a usage error, or the server cannot be reached at all; 3 interrupted (SIGINT, SIGTERM) before the run was",
    "complete, with no failure in what ran (a failure found before the interruption still exits 1); 4 not trusted: no",
    "failure, but the randomized workloads ran below their traffic profile's minimal rate.",
  ].join("\n");
}

export function parseCliOptions(argv: readonly string[]): CliOptions {
  const reportOptions = Object.fromEntries(reportWriters.map((w) => [w.flag, { type: "string" as const }]));
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        protocol: { type: "string" },
        url: { type: "string", multiple: true },
        header: { type: "string", multiple: true },
        ca: { type: "string" },
        insecure: { type: "boolean" },
        "wait-for": { type: "string" },
        baseline: { type: "string" },
        "max-time": { type: "string" },
        "fail-fast": { type: "boolean" },
        "write-baseline": { type: "string" },
        strict: { type: "boolean" },
        timeout: { type: "string" },
        concurrency: { type: "string" },
        "rate-limit": { type: "string" },
        list: { type: "boolean" },
        only: { type: "string" },
        skip: { type: "string" },
        quiet: { type: "boolean" },
        runs: { type: "string" },
        depth: { type: "string" },
        traffic: { type: "string" },
        rate: { type: "string" },
        seed: { type: "string" },
        path: { type: "string" },
        replay: { type: "string" },
        settle: { type: "string" },
        duration: { type: "string" },
        "shrink-time": { type: "string" },
        faults: { type: "boolean" },
        "server-cmd": { type: "string", multiple: true },
        restarts: { type: "string" },
        workers: { type: "string" },
        help: { type: "boolean", short: "h" },
        ...reportOptions,
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // node's messages continue with advice over several sentences; the first says it.
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.split(/\.\s/)[0] ?? message);
  }
  const text = (name: string) => values[name] as string | undefined;
  const interleavings = parseInterleavingOptions(text);
  const requestsPerSecond = text("rate-limit") !== undefined ? parseInteger("--rate-limit", text("rate-limit"), 0, 1, 100_000) : undefined;
  const traffic = interleavings.interleavings.traffic ?? defaultTrafficProfile;
  if (requestsPerSecond !== undefined) refuseBelowMinimalRate("--rate-limit", requestsPerSecond, traffic);
  const urls = parseUrls((values["url"] as string[] | undefined) ?? []);
  return {
    profile: parseProfile(text("protocol")),
    urls,
    headers: parseHeaders((values["header"] as string[] | undefined) ?? []),
    ...fileOption("caFile", "--ca", text("ca")),
    insecure: values["insecure"] === true,
    ...fileOption("baselineFile", "--baseline", text("baseline")),
    ...fileOption("writeBaselineFile", "--write-baseline", text("write-baseline")),
    failFast: values["fail-fast"] === true,
    ...(text("max-time") !== undefined ? { maxTimeSeconds: parseInteger("--max-time", text("max-time"), 0, 1, 86_400) } : {}),
    waitForSeconds: parseInteger("--wait-for", text("wait-for"), 0, 0, 3600),
    strict: values["strict"] === true,
    timeoutMs: parseInteger("--timeout", text("timeout"), defaultTimeoutMs, 1, 3_600_000),
    concurrency: parseInteger("--concurrency", text("concurrency"), defaultConcurrency, 1, 64),
    ...(requestsPerSecond !== undefined ? { requestsPerSecond } : {}),
    list: values["list"] === true,
    only: parsePrefixes("--only", text("only")),
    skip: parsePrefixes("--skip", text("skip")),
    quiet: values["quiet"] === true,
    ...interleavings,
    ...parseFaultOptions(text, values["faults"] === true, (values["server-cmd"] as string[] | undefined) ?? [], urls.length),
    workers: parseWorkers(text),
    help: values["help"] === true,
    reports: reportWriters.flatMap((writer) => {
      const file = text(writer.flag);
      if (file === undefined) return [];
      if (file.trim() === "") throw new UsageError(`--${writer.flag} needs a file name`);
      return [{ writer, file }];
    }),
  };
}

function parseProfile(value: string | undefined): ProfileName {
  if (value === undefined) return defaultProfile;
  if (isProfileName(value)) return value;
  throw new UsageError(`--protocol must be one of ${profileNames.join(", ")}, got '${value}'`);
}

function parseHeaders(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const header = parseHeaderLine(line);
    // The value may be a secret: the message names the header line's shape, never its text.
    if (!header) throw new UsageError("--header takes 'Name: value' with a token as the name");
    headers[header[0]] = header[1];
  }
  return headers;
}

function fileOption<K extends "caFile" | "baselineFile" | "writeBaselineFile">(
  key: K,
  flag: string,
  file: string | undefined,
): Partial<Record<K, string>> {
  if (file === undefined) return {};
  if (file.trim() === "") throw new UsageError(`${flag} needs a file name`);
  return { [key]: file } as Partial<Record<K, string>>;
}

function parseUrls(values: readonly string[]): string[] {
  const urls = values.map(parseUrl);
  const repeated = urls.find((url, index) => urls.indexOf(url) !== index);
  if (repeated !== undefined) throw new UsageError(`--url ${repeated} is given twice; each node of a deployment once`);
  if (urls.length > routeLimits.nodes) throw new UsageError(`--url is given ${urls.length} times; a deployment of at most ${routeLimits.nodes} nodes is checked`);
  return urls;
}

function parseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--url must be an http:// or https:// URL, got '${value}'`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--url must be an http:// or https:// URL, got '${value}'`);
  }
  if (url.search !== "" || url.hash !== "") throw new UsageError(`--url must not have a query or fragment, got '${value}'`);
  return url.toString().replace(/\/+$/, "");
}

function parseInteger(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= min && number <= max)) throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got '${value}'`);
  return number;
}

function parseInterleavingOptions(text: (name: string) => string | undefined): Pick<CliOptions, "interleavings" | "replay"> {
  const runsText = text("runs");
  const runs = runsText === undefined ? undefined : parseInteger("--runs", runsText, defaultRuns, 1, 100_000);
  const seedText = text("seed");
  let seed: number | undefined;
  if (seedText !== undefined) {
    seed = /^-?\d+$/.test(seedText) ? Number(seedText) : Number.NaN;
    if (!(seed >= seedRange.min && seed <= seedRange.max)) {
      throw new UsageError(`--seed must be an integer from ${seedRange.min} to ${seedRange.max}, got '${seedText}'`);
    }
  }
  const path = text("path");
  if (path !== undefined && !fastCheckPathPattern.test(path)) {
    throw new UsageError(`--path must be a fast-check path such as 3:1:0, got '${path}'`);
  }
  if (path !== undefined && seed === undefined) throw new UsageError("--path needs the --seed it was printed with");
  const settleText = text("settle");
  const settleMs = settleText === undefined ? undefined : parseSeconds("--settle", settleText, 600);
  const shrinkText = text("shrink-time");
  const shrinkBudgetMs = shrinkText === undefined ? undefined : parseSeconds("--shrink-time", shrinkText, 3600);
  const depthText = text("depth");
  const depthCap = depthText === undefined ? undefined : parseInteger("--depth", depthText, defaultDepthCap, 0, 1_000_000);
  const traffic = parseTraffic(text("traffic"));
  const rateText = text("rate");
  const rate = rateText === undefined ? undefined : parseInteger("--rate", rateText, 0, 1, 100_000);
  if (rate !== undefined) refuseBelowMinimalRate("--rate", rate, traffic ?? defaultTrafficProfile);
  const durationText = text("duration");
  const durationMs = durationText === undefined ? undefined : parseDuration(durationText);
  if (durationMs !== undefined && runs !== undefined) throw new UsageError("--duration runs workloads until its time is up; it takes no --runs");
  const replay = text("replay");
  if (replay !== undefined) {
    if (replay.trim() === "") throw new UsageError("--replay needs a file name");
    if (runs !== undefined || seed !== undefined || path !== undefined || durationMs !== undefined) {
      throw new UsageError("--replay executes a saved workload; it takes no --runs, --seed, --path or --duration");
    }
  }
  return {
    interleavings: {
      ...(runs !== undefined ? { runs } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(path !== undefined ? { path } : {}),
      ...(settleMs !== undefined ? { settleMs } : {}),
      ...(durationMs !== undefined ? { durationMs } : {}),
      ...(shrinkBudgetMs !== undefined ? { shrinkBudgetMs } : {}),
      ...(depthCap !== undefined ? { depthCap } : {}),
      ...(traffic !== undefined ? { traffic } : {}),
      ...(rate !== undefined ? { rate } : {}),
    },
    ...(replay !== undefined ? { replay } : {}),
  };
}

function parseTraffic(name: string | undefined): TrafficProfile | undefined {
  if (name === undefined) return undefined;
  const traffic = trafficProfileNamed(name);
  if (!traffic) throw new UsageError(`--traffic must be one of ${trafficProfileNames.join(", ")}, got '${name}'`);
  return traffic;
}

/** "minimal rate 25 ops/s", or "no minimal rate". */
function describeMinimalRate(traffic: TrafficProfile): string {
  return traffic.minimalRate > 0 ? `minimal rate ${traffic.minimalRate} ops/s` : "no minimal rate";
}

/** A pace below the profile's minimal rate could only end in a result that is not trusted: said at once instead. */
function refuseBelowMinimalRate(flag: string, requestsPerSecond: number, traffic: TrafficProfile): void {
  if (requestsPerSecond >= traffic.minimalRate) return;
  throw new UsageError(
    `${flag} ${requestsPerSecond} is below the ${traffic.name} traffic profile's minimal rate of ${traffic.minimalRate} checked operations per second, so its result could not be trusted`,
  );
}

function parseFaultOptions(
  text: (name: string) => string | undefined,
  faults: boolean,
  serverCommands: string[],
  urls: number,
): Pick<CliOptions, "faults" | "serverCommands" | "restarts"> {
  if (serverCommands.some((command) => command.trim() === "")) throw new UsageError("--server-cmd needs a command");
  if (serverCommands.length > 1 && serverCommands.length !== urls) {
    throw new UsageError(`--server-cmd is given once for one server, or once per --url: ${serverCommands.length} for ${urls} --url`);
  }
  if (serverCommands.length === 1 && urls > 1) throw new UsageError(`--server-cmd starts one server: give it once per --url (${urls}) to start each node`);
  const restarts = parseInteger("--restarts", text("restarts"), 0, 1, 1000);
  if (restarts > 0 && serverCommands.length === 0) throw new UsageError("--restarts needs --server-cmd, the command that starts the server again");
  if (serverCommands.length > 1 && restarts > workloadLimits.restarts.max) {
    throw new UsageError(`--restarts with a deployment restarts nodes in each workload: at most ${workloadLimits.restarts.max}, got ${restarts}`);
  }
  const runs = text("runs");
  // One server's crashes are spread over the runs; a deployment's come with each workload.
  if (serverCommands.length === 1 && runs !== undefined && restarts > Number(runs)) throw new UsageError(`--restarts ${restarts} needs at least as many --runs`);
  return { faults, restarts, serverCommands };
}

/** The most --workers: a process each, and a runner has seldom more cores. */
export const maxWorkers = 64;

/** --workers N: 1 (the default) runs the workloads in this process; more, in that many processes whose results are merged. */
function parseWorkers(text: (name: string) => string | undefined): number {
  const workers = parseInteger("--workers", text("workers"), 1, 1, maxWorkers);
  if (workers === 1) return workers;
  // Each of these is about one sequence of workloads, or one server's crashes: N processes would each make their own.
  if (text("replay") !== undefined) throw new UsageError("--replay executes one saved workload in one process; it takes no --workers");
  if (text("path") !== undefined) throw new UsageError("--path generates one run's failure again, in one process; it takes no --workers");
  if (text("restarts") !== undefined) throw new UsageError("--restarts kills the server under every worker at once; it takes no --workers");
  return workers;
}

/** Seconds, decimals allowed, from 0 to `max`, as milliseconds. */
function parseSeconds(flag: string, value: string, max: number): number {
  const seconds = /^\d+(?:\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds >= 0 && seconds <= max)) throw new UsageError(`${flag} must be a number of seconds from 0 to ${max}, got '${value}'`);
  return Math.round(seconds * 1000);
}

const durationUnits: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** "90s", "10m", "2h" or plain seconds, from 1 s to 24 h, as milliseconds. */
function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)([smh]?)$/.exec(value);
  const ms = match ? Number(match[1]) * durationUnits[match[2] || "s"]! : Number.NaN;
  if (!(ms >= 1_000 && ms <= 86_400_000)) throw new UsageError(`--duration must be a time from 1s to 24h such as 90s, 10m or 2h, got '${value}'`);
  return Math.round(ms);
}

function parsePrefixes(flag: string, value: string | undefined): string[] {
  if (value === undefined) return [];
  const prefixes = value.split(",").map((p) => p.trim());
  if (prefixes.some((p) => p === "")) {
    throw new UsageError(`${flag} takes comma-separated requirement ID prefixes, got '${value}'`);
  }
  return prefixes;
}
