// The suite's defaults, in one module of their own: the CLI prints them in
// its help, the runner applies them, and replay commands leave out what
// equals them. Nothing here imports anything, so any layer may read it.

/** Per-request timeout. */
export const defaultTimeoutMs = 10_000;
/** Contract checks running at once. */
export const defaultConcurrency = 4;

/**
 * Randomized workloads per run. Against the embedded reference (real scrypt
 * cost, in the same process) a run takes about 0.6 to 0.8 s, most of it
 * hashing logins, so the default budget spends about 15 to 25 s on
 * interleavings.
 */
export const defaultRuns = 30;
/** Executions of a replayed workload before concluding it no longer fails: concurrency is not reproducible. */
export const defaultReplayAttempts = 5;
/**
 * Time spent shrinking after the first failure: a CI verdict in seconds
 * matters more than the last few shrink steps (--shrink-time gives more).
 */
export const defaultShrinkBudgetMs = 3_000;
/**
 * Without --shrink-time, a counterexample deeper than defaultDepthCap gets
 * at least this many of its own executions' time to shrink: each candidate
 * advances its accounts again, so 3 s would try none of a 40,000-version one.
 */
export const deepShrinkExecutions = 20;
/**
 * Executions of one shrink candidate at most: a race met in a few tries;
 * more would spend the shrink budget on the candidates that really pass.
 */
export const shrinkAttempts = 3;
/**
 * Of those, how many must break the requirement for the candidate to be
 * kept. Once is not enough: a candidate whose race came back once in three
 * (a pause that now lets the other device finish first) is kept a quarter
 * of the time even when it fails one execution in ten, and ends as a
 * counterexample that seldom fails when replayed. A failure that does not
 * hang on timing costs two executions a kept candidate and two a dropped one.
 */
export const shrinkFailuresNeeded = 2;

/**
 * The quiet period before the second round of final reads: covers ordinary
 * replication lag and write-back delays (hundreds of milliseconds) while
 * adding one second to a run.
 */
export const defaultSettleMs = 1_000;
/** Executions whose accounts are read finally together: one settle wait per batch, and a soak run's memory bounded by it. */
export const finalReadBatch = 50;
/** Nor more than this many operations: a batch of deep executions (tens of thousands of versions each) is read well before fifty. */
export const finalReadBatchOperations = 200_000;
/** In a soak run, the longest a batch waits for its final reads, so that its memory peaks early and stays flat. */
export const soakFinalReadIntervalMs = 20_000;
/** Attempts of one request after the first that a rate limit (429, or 503 with Retry-After) may cost. */
export const rateLimitRetries = 5;
/** The longest the suite waits before one such retry, whatever Retry-After asks. */
export const rateLimitMaxWaitMs = 5_000;
/**
 * The most of a response body the suite reads. Above the largest body it
 * sends itself (3 MiB, the oversized requests of HTTP-4), which a server
 * that accepts it may rightly answer back.
 */
export const maxResponseBytes = 4 * 1024 * 1024;
/** Nesting of arrays and objects past which a response body is not parsed; the protocol's bodies nest two or three deep. */
export const maxJsonDepth = 64;
/** The most response header bytes read (undici's limit, named here so reports can say it). */
export const maxResponseHeaderBytes = 16 * 1024;

/**
 * The longest a check waits for a notification frame, or a socket's close,
 * that a server owes it. A server sends them at once; the wait only bounds a
 * failing check, and leaves room for a machine under load.
 */
export const notificationWaitMs = 5_000;
/**
 * How long a check keeps listening, after the last frame it expects, for a
 * frame it must not get: frames of one socket arrive in order, so a wrong one
 * sent before the expected one is already there, and this covers one sent late.
 */
export const notificationQuietMs = 300;
/** Frames of one socket the suite keeps; later ones are counted and dropped. A check expects a handful. */
export const maxSocketFrames = 64;
/** The largest frame the suite reads; a `wallet-update:<sequence>` frame has at most 25 bytes. */
export const maxSocketFrameBytes = 16 * 1024;

/**
 * The deepest history a generated account starts from before its devices
 * race (--depth raises it): past 255, so that a default run crosses the
 * one-byte column boundaries, while the sequential POSTs that advance an
 * account cost a run about a second.
 */
export const defaultDepthCap = 300;
/**
 * The largest wallet the suite probes for (largest-wallet.ts): the largest
 * body it sends, less room for the rest of the request.
 */
export const maxProbedWalletBytes = 3 * 1024 * 1024 - 4096;
/** Times a failed contract case is run again alone after the run, to tell a failure under load from one that always happens. */
export const defaultAloneRuns = 2;
/** The longest those runs take in all; failed cases past it are not run again. */
export const aloneBudgetMs = 60_000;
