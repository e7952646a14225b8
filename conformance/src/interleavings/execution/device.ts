// One device of a workload: the walkthrough's client (merge base, local
// changes, rebase on 409) playing its script of moves, honest and hostile,
// with every request recorded as a history operation. A device makes one
// request at a time; devices run concurrently. Every loop is bounded. In
// api3 a 409 carries no wallet, so the device GETs the latest and rebases
// (CLIENT-7); it fetches the salt seed before each login (CLIENT-8), may
// change the account's password, and may hold a socket to the end.
import { setTimeout as sleep } from "node:timers/promises";
import { faultHeader, type FaultKind } from "../../faults/fault-kinds.js";
import type { Exchange, WalletPost } from "../../client/protocol-client.js";
import type { NotificationSocket } from "../../client/notification-socket.js";
import { WalletClient, type GetOutcome, type PostOutcome, type WalletState } from "../../client/wallet-client.js";
import { changeLogOf, type WalletSize } from "../../client/wallet-size.js";
import type { PostedWallet, PostOperation } from "../../history/history.js";
import type { AccountPassword } from "./account-password.js";
import type { FinalReader } from "./final-reads.js";
import { RouteCursor, type DeploymentNode } from "./nodes.js";
import type { HistoryRecorder, OperationLabels } from "./recorder.js";
import type { RunControl } from "./run-control.js";
import type { HeldSockets } from "./sockets.js";
import type { AccountScript, DeviceScript, EditedWallet, FaultyMove, Move, OldTokenUse } from "../workload/workload.js";

/** POSTs of one edit: the first and its retries after 409s or lost answers. */
const postAttemptsPerEdit = 5;
/** Attempts to sign up or log in when answers are lost or 5xx. */
const setupAttempts = 3;
/** Logins after the current token was answered 401 (as a server that lost it would). */
const reloginsPerRun = 2;
/** Wait before retrying after a lost answer or a 5xx: a busy server gets a moment. */
const retryPauseMs = 10;
/** api3: password changes of one move: the first and its retries after a 409 (rebased) or a 401 (the password changed meanwhile). */
const passwordChangeAttempts = 3;
/** Replaced tokens a device remembers for old-token moves (which use the newest): a long-lived device logs in again without end. */
const replacedTokensKept = 4;

export interface DeviceEnvironment {
  /** The deployment's nodes; the device's route picks one per request. */
  nodes: readonly DeploymentNode[];
  recorder: HistoryRecorder;
  control: RunControl;
  /** api3: where the "listen" move opens its socket. */
  sockets?: HeldSockets;
  /** The largest wallet the server accepted when the run probed it (largest-wallet.ts); edits stay at or below it. */
  largestWalletBytes?: number;
}

/** Room left below the largest wallet probed: a later POST's sequence has more digits than the probe's. */
const largestWalletMarginBytes = 64;

interface HeldToken {
  token: string;
  /** The generation of the auth that issued it (see HistoryRecorder.auth). */
  generation: number;
}

type AuthResult = "issued" | "refused" | "indeterminate";

/** What a POST came to; every kind but "no-state" (a device always has a base when it posts) carries its exchange. */
type Posted = Exclude<PostOutcome, { kind: "no-state" }>;

export class Device {
  private readonly client: WalletClient;
  /** The fault of the move being performed (--faults), and how many of its requests go before the one it hits. */
  private armedFault: FaultKind | undefined;
  private requestsBeforeFault = 0;
  /** Generation of the token the client holds; 0 before the first login. */
  private generation = 0;
  /** Tokens a later login of this device replaced, oldest first. */
  private readonly replaced: HeldToken[] = [];
  private lastPost: { body: WalletPost; sent: PostedWallet; generation: number } | undefined;
  private changes = 0;
  private relogins = 0;
  private readonly cursor: RouteCursor;
  /** api3: the label of the account password the client holds. */
  private passwordLabel = "p0";
  /** api3: the socket the device holds, once it listens. */
  private socket: NotificationSocket | undefined;

  constructor(
    private readonly labels: OperationLabels,
    deviceId: string,
    private readonly password: AccountPassword,
    private readonly env: DeviceEnvironment,
    route?: readonly number[],
  ) {
    // Each node's client names the fault armed for the request it sends, if any.
    const nodes = env.nodes.map((node) => ({ ...node, protocol: node.protocol.withRequestHeaders(() => this.takeArmedFault()) }));
    this.cursor = new RouteCursor(nodes, route);
    this.client = new WalletClient(nodes[0]!.protocol, { deviceId });
    this.client.setAccount(password.email, password.rootPassword);
  }

  private get api3(): boolean {
    return this.client.protocol.profile === "api3";
  }

  get loggedIn(): boolean {
    return this.generation > 0;
  }

  get account(): string {
    return this.labels.account;
  }

  /** The device as a reader of its account once the workload is over: the token it last got, and a way to log in again. */
  finalReader(): FinalReader | undefined {
    const token = this.client.authToken;
    if (!this.loggedIn || !token) return undefined;
    return { labels: this.labels, token, generation: this.generation, renew: () => this.renewForFinalRead() };
  }

  /** A fresh token for a final read whose token was answered 401 (a server that lost its tokens in a crash). */
  private async renewForFinalRead(): Promise<{ token: string; generation: number } | undefined> {
    if ((await this.authenticate()) !== "issued") return undefined;
    return { token: this.client.authToken, generation: this.generation };
  }

  /** The fault header for the request being sent, once: a move's fault hits the request of the move at its index. */
  private takeArmedFault(): Record<string, string> {
    const fault = this.armedFault;
    if (fault === undefined) return {};
    if (this.requestsBeforeFault > 0) {
      this.requestsBeforeFault--;
      return {};
    }
    this.armedFault = undefined;
    return { [faultHeader]: fault };
  }

  /** Creates the account; a 409 after an attempt whose answer was lost means that attempt took effect. */
  async signUp(): Promise<boolean> {
    let lost = false;
    for (let attempt = 0; attempt < setupAttempts && !this.env.control.stopped; attempt++) {
      const labels = this.toNextNode();
      const exchange = await this.client.register();
      const op = this.env.recorder.signup(labels, exchange);
      this.env.control.observe(exchange);
      if (op.outcome.type === "ok" || (lost && op.outcome.type === "refused" && op.outcome.status === 409)) {
        this.password.saltSeed = this.client.clientSaltSeed;
        return true;
      }
      if (op.outcome.type === "refused") return false;
      lost = true;
      await sleep(retryPauseMs);
    }
    return false;
  }

  /**
   * Before the account's devices start: posts versions 1 to `depth` one
   * after the other, then `burst` POSTs of the next version at once with
   * its one token (tabs of one browser), then reads which one won. Each
   * version of the advance is a wallet written anew, not the one before
   * plus a change, so that a history of 70,000 versions stays small; the
   * history still shows what each was built on (baseHmac). Stops at the
   * first POST that is not accepted: the devices start from wherever it got.
   */
  async advance({ depth = 0, burst = 0 }: AccountScript): Promise<void> {
    if ((depth === 0 && burst === 0) || !(await this.logIn())) return;
    let base: { sequence: number; encryptedWallet: string } = { sequence: 0, encryptedWallet: "-" };
    // However long the advance takes, the devices then get their whole time limit.
    for (let sequence = 1; sequence <= depth && !this.env.control.halted; sequence++) {
      const version = { sequence, encryptedWallet: `-:${this.changeId()}` };
      if ((await this.postVersion(version, base, "advance")).outcome.type !== "ok") break;
      base = version;
    }
    this.env.control.extend();
    if (burst > 0 && !this.env.control.stopped) {
      const log = changeLogOf(base.encryptedWallet);
      const contenders = Array.from({ length: burst }, () => ({ sequence: base.sequence + 1, encryptedWallet: `${log}:${this.changeId()}` }));
      await Promise.all(contenders.map((version) => this.postVersion(version, base, "burst")));
    }
    if (!this.env.control.stopped) await this.read();
  }

  async run(script: DeviceScript): Promise<void> {
    await sleep(script.startMs);
    if (!this.loggedIn && !(await this.logIn())) return;
    if (script.opening === "post") {
      // No read first: devices that start together race to post the first wallet (an advanced device posts on its base).
      if (!this.client.walletState) this.client.newWalletState();
      await this.edit(1);
    } else {
      await this.read();
    }
    for (const move of script.moves) {
      if (this.env.control.stopped) return;
      await this.step(move);
    }
    // What the device ends with: a last read, which later checks compare too.
    if (!this.env.control.stopped) await this.read();
  }

  /** Logs in unless it holds a token; false when no token could be had. */
  async ensureLoggedIn(): Promise<boolean> {
    return this.loggedIn || (await this.logIn());
  }

  /** One move of a device that lives as long as its account (a soak's long-lived accounts): its pause, then the move. */
  async step(move: FaultyMove): Promise<void> {
    if (this.env.control.stopped) return;
    if (move.pauseMs > 0) await sleep(move.pauseMs);
    await this.performFaulty(move);
  }

  /**
   * A long-lived account's change log would grow with every version: once
   * the log of the device's base is longer than `maxLogChars` (and no local
   * change waits), the device writes the next version anew, built on its
   * base as an advance is (the history follows it through baseHmac), so
   * wallets, requests and what the checker keeps stay small however long the
   * account lives. On a conflict the device rebases at its next edit.
   */
  async compactLog(maxLogChars: number): Promise<void> {
    const base = this.client.walletState;
    if (!base || base.sequence < 1 || this.client.localChanges !== "" || changeLogOf(base.encryptedWallet).length <= maxLogChars) return;
    if (this.env.control.stopped) return;
    const version = { sequence: base.sequence + 1, encryptedWallet: `-:${this.changeId()}` };
    if ((await this.postVersion(version, base, "compact")).outcome.type === "ok") this.client.walletState = version;
  }

  private async performFaulty(move: FaultyMove): Promise<void> {
    this.armedFault = move.fault;
    this.requestsBeforeFault = move.faultAt ?? 0;
    try {
      await this.perform(move);
    } finally {
      // A move that sent fewer requests (or nothing to be stale about) leaves no fault for the next one.
      this.armedFault = undefined;
    }
  }

  private async perform(move: Move): Promise<void> {
    switch (move.kind) {
      case "edit":
        return this.edit(move.changes, move.wallet);
      case "get":
        return this.readRenewing();
      case "stale": {
        const base = this.client.walletState?.sequence ?? 0;
        // Nothing to be stale about before the device has seen a wallet.
        if (base < 1) return;
        return this.hostilePost("stale", Math.max(1, base + 1 - move.back));
      }
      case "skip-ahead":
        return this.hostilePost("skip-ahead", (this.client.walletState?.sequence ?? 0) + 1 + move.by);
      case "repeat":
        return this.repeatLastPost();
      case "reauth":
        if ((await this.authenticate()) === "issued" && move.thenOldToken !== "none") await this.useOldToken(move.thenOldToken);
        return;
      case "old-token":
        return this.useOldToken(move.use);
      case "password-change":
        return this.changePassword();
      case "password-change-without-wallet":
        return this.changePasswordWithoutWallet();
      case "listen":
        return this.listen();
    }
  }

  private async logIn(): Promise<boolean> {
    for (let attempt = 0; attempt < setupAttempts && !this.env.control.stopped; attempt++) {
      const result = await this.authenticate();
      if (result === "issued") return true;
      if (result === "refused") return false;
      await sleep(retryPauseMs);
    }
    return false;
  }

  /** One POST /auth/full (in api3 after fetching the salt seed); a token issued replaces the one held, which is kept as replaced. */
  private async authenticate(): Promise<AuthResult> {
    const held = this.client.authToken;
    const password = this.api3 ? await this.takeAccountPassword() : undefined;
    // Without the account's salt seed (its GET got no answer) there is no login password to send.
    if (this.api3 && this.client.clientSaltSeed === undefined) return "indeterminate";
    const labels = this.toNextNode();
    const exchange = await this.client.getAuthToken();
    const op = this.env.recorder.auth(labels, exchange, password);
    this.env.control.observe(exchange);
    if (op.outcome.type === "ok" && tokenIn(exchange) !== undefined) {
      this.takeToken(held, op.tokenGeneration);
      return "issued";
    }
    return op.outcome.type === "indeterminate" ? "indeterminate" : "refused";
  }

  /**
   * api3 (CLIENT-8): the account's current password, as its user would type
   * it, and the salt seed fetched from the server. Returns the password's
   * label when the seed is the one stored with it, so that the history names
   * the password the login gave; a seed of another password (one changed
   * meanwhile) makes a login the history does not judge.
   */
  private async takeAccountPassword(): Promise<string | undefined> {
    const { rootPassword, label, saltSeed } = this.password;
    this.client.rootPassword = rootPassword;
    this.passwordLabel = label;
    const exchange = await this.client.updateDerivedSecrets();
    if (exchange) this.env.control.observe(exchange);
    return saltSeed !== undefined && this.client.clientSaltSeed === saltSeed ? label : undefined;
  }

  /**
   * After a 401 to the token the device holds: logs in again, a bounded
   * number of times per run; in api3 also once per password change another
   * device made since the device last logged in.
   */
  private async relogIn(): Promise<boolean> {
    const passwordChanged = this.api3 && this.password.label !== this.passwordLabel;
    if ((!passwordChanged && this.relogins >= reloginsPerRun) || this.env.control.stopped) return false;
    if (!passwordChanged) this.relogins++;
    return (await this.authenticate()) === "issued";
  }

  private ensureBase(): void {
    // A device that could not read yet starts from the empty wallet: a 409 will tell it the stored one.
    if (!this.client.walletState) this.client.newWalletState();
  }

  /** A change id unique in the account and naming it, so that a wallet seen in another account is recognised. */
  private changeId(): string {
    return `${this.labels.account}${this.labels.client}-${++this.changes}`;
  }

  private addChange(): void {
    this.client.changeEncryptedWallet(this.changeId());
  }

  /** The size an edit's versions are padded to: the largest the server accepts at most, none when that is unknown. */
  private walletSize(wallet: EditedWallet | undefined): WalletSize | undefined {
    if (wallet === undefined) return undefined;
    const largest = this.env.largestWalletBytes;
    if (largest === undefined) return wallet.bytes === "largest" ? undefined : { bytes: wallet.bytes, text: wallet.text };
    const ceiling = largest - largestWalletMarginBytes;
    return { bytes: wallet.bytes === "largest" ? ceiling : Math.min(wallet.bytes, ceiling), text: wallet.text };
  }

  /** The client algorithm: local changes, POST base + 1, on 409 rebase and post again; its versions padded to `wallet`. */
  private async edit(changes: number, wallet?: EditedWallet): Promise<void> {
    this.client.walletSize = this.walletSize(wallet);
    try {
      await this.editSized(changes);
    } finally {
      this.client.walletSize = undefined;
    }
  }

  private async editSized(changes: number): Promise<void> {
    this.ensureBase();
    for (let index = 0; index < changes; index++) this.addChange();
    for (let attempt = 0; attempt < postAttemptsPerEdit && !this.env.control.stopped; attempt++) {
      const outcome = await this.post("honest");
      if (outcome.kind === "accepted") return;
      if (outcome.kind === "conflict") continue;
      if (outcome.kind === "invalid") {
        // An answer the client refused (a bad hmac, a sequence going backwards): read to find a base again.
        await this.read();
        continue;
      }
      if (outcome.kind !== "error") return;
      // In api3 a 409 is followed by a GET, whose failure is the one to act on.
      const status = (outcome.read ?? outcome.exchange).response?.status;
      if (status === 401) {
        if (await this.relogIn()) continue;
        return;
      }
      // Lost or 5xx: the POST may have been stored. Posting again settles it: a 409 brings the stored wallet.
      if (status === undefined || status >= 500) {
        await sleep(retryPauseMs);
        continue;
      }
      return;
    }
  }

  /** A POST that claims what the device has not seen; its change stays local if it is refused. */
  private async hostilePost(move: "stale" | "skip-ahead", sequence: number): Promise<void> {
    this.ensureBase();
    this.addChange();
    const outcome = await this.post(move, sequence);
    if (outcome.kind === "error" && (outcome.read ?? outcome.exchange).response?.status === 401) await this.relogIn();
  }

  /** The previous POST again, byte for byte: a client retrying blindly. */
  private async repeatLastPost(): Promise<void> {
    const last = this.lastPost;
    if (!last) return;
    await this.sendRecorded(last.body, { ...last.sent, move: "repeat" }, last.generation);
  }

  /** A POST of `version`, built on `base`, outside the client's merge base (the advance and its burst). */
  private postVersion(version: WalletState, base: WalletState, move: string): Promise<PostOperation> {
    const body = this.client.walletPost(version);
    const baseHmac = base.sequence > 0 ? this.client.walletPost(base).hmac : undefined;
    const sent: PostedWallet = { ...version, hmac: body.hmac, baseSequence: base.sequence, ...(baseHmac !== undefined ? { baseHmac } : {}), move };
    return this.sendRecorded(body, sent, this.generation);
  }

  /** Sends a POST as it is and records it. */
  private async sendRecorded(body: WalletPost, sent: PostedWallet, generation: number): Promise<PostOperation> {
    const labels = this.toNextNode();
    const exchange = await this.client.protocol.postWallet(body);
    const op = this.env.recorder.post(labels, generation, sent, exchange);
    this.env.control.observe(exchange);
    return op;
  }

  /** A read or a POST with the token the last re-auth replaced: a correct server answers 401. */
  private async useOldToken(use: OldTokenUse): Promise<void> {
    const old = this.replaced.at(-1);
    if (!old) return;
    if (use === "get") {
      await this.read(old);
      return;
    }
    this.ensureBase();
    this.addChange();
    await this.post("old-token", undefined, old);
  }

  /**
   * api3: changes the account's password, the device's wallet re-encrypted
   * at base + 1 (none before it has seen one). Local changes are posted
   * first (the client does not change the password over them). On 409 it
   * reads the latest and tries again; on 401 the password changed meanwhile,
   * so it takes the account's current one and tries again. A change without
   * an answer may have taken effect: the salt seed tells.
   */
  private async changePassword(): Promise<void> {
    for (let attempt = 0; attempt < passwordChangeAttempts && !this.env.control.stopped; attempt++) {
      // The salt seed fetched again: with a stale one (a lost answer, a change that took effect) the change would send another password than the one the history names.
      const oldPassword = await this.takeAccountPassword();
      if (oldPassword === undefined) return;
      const next = this.password.next();
      const baseSequence = this.client.walletState?.sequence ?? 0;
      const baseHmac = this.client.baseHmac();
      const labels = this.toNextNode();
      const outcome = await this.client.changePassword(next.rootPassword);
      if (outcome.kind === "local-changes") {
        await this.edit(0);
        continue;
      }
      const { exchange, sent } = outcome;
      const request: PostedWallet | undefined = sent.wallet && {
        ...sent.wallet,
        baseSequence,
        ...(baseHmac !== undefined ? { baseHmac } : {}),
        move: "password-change",
      };
      this.env.recorder.password(labels, { oldPassword, newPassword: next.label, ...(request ? { request } : {}) }, exchange);
      this.env.control.observe(exchange);
      const status = exchange.response?.status;
      if (status === 200 || ((status === undefined || status >= 500) && (await this.tookEffect(sent.clientSaltSeed)))) {
        this.password.adopt(next.rootPassword, next.label, sent.clientSaltSeed);
        // Its own token is ended too.
        await this.authenticate();
        return;
      }
      if (status === 409) await this.readRenewing();
      else if (status !== 401) return;
    }
  }

  /**
   * api3, hostile (PASS-4): once the device has seen a wallet, a password
   * change without wallet fields; the server must refuse it (409). After a
   * 409 the device logs in with the password it tried, which must be refused
   * too. A change (or a probe) the server accepted anyway is adopted, so
   * that the account's devices go on with the password the server now has.
   */
  private async changePasswordWithoutWallet(): Promise<void> {
    if ((this.client.walletState?.sequence ?? 0) < 1) return;
    const oldPassword = await this.takeAccountPassword();
    if (oldPassword === undefined) return;
    const next = this.password.next();
    const labels = this.toNextNode();
    const outcome = await this.client.changePassword(next.rootPassword, { withoutWallet: true });
    if (outcome.kind === "local-changes") return;
    const { exchange, sent } = outcome;
    this.env.recorder.password(labels, { oldPassword, newPassword: next.label }, exchange);
    this.env.control.observe(exchange);
    const status = exchange.response?.status;
    if (status === 200) {
      this.password.adopt(next.rootPassword, next.label, sent.clientSaltSeed);
      await this.authenticate();
    } else if (status === 409) {
      if (await this.probeLogin(next.rootPassword, sent.clientSaltSeed, next.label)) this.password.adopt(next.rootPassword, next.label, sent.clientSaltSeed);
    }
  }

  /**
   * A login with a password the account should not have (PASS-4's probe),
   * recorded with its label. Refused, the device keeps its own token and
   * password; issued, the new token replaces its own, as any login's does.
   */
  private async probeLogin(rootPassword: string, clientSaltSeed: string, label: string): Promise<boolean> {
    const own = { token: this.client.authToken, rootPassword: this.client.rootPassword, clientSaltSeed: this.client.clientSaltSeed };
    this.client.rootPassword = rootPassword;
    this.client.clientSaltSeed = clientSaltSeed;
    const labels = this.toNextNode();
    const exchange = await this.client.getAuthToken();
    const op = this.env.recorder.auth(labels, exchange, label);
    this.env.control.observe(exchange);
    if (op.outcome.type === "ok" && tokenIn(exchange) !== undefined) {
      this.takeToken(own.token, op.tokenGeneration);
      this.passwordLabel = label;
      return true;
    }
    Object.assign(this.client, { authToken: own.token, rootPassword: own.rootPassword, clientSaltSeed: own.clientSaltSeed });
    return false;
  }

  /** A login issued the token the client now holds: the one it held before (`held`) is kept as replaced, the newest few of them. */
  private takeToken(held: string, tokenGeneration: number): void {
    if (this.generation > 0) this.replaced.push({ token: held, generation: this.generation });
    if (this.replaced.length > replacedTokensKept) this.replaced.shift();
    this.generation = tokenGeneration;
  }

  /** Whether a password change without a settling answer took effect: the server then stores its salt seed. */
  private async tookEffect(clientSaltSeed: string): Promise<boolean> {
    const exchange = await this.client.updateDerivedSecrets();
    if (exchange) this.env.control.observe(exchange);
    return this.client.clientSaltSeed === clientSaltSeed;
  }

  /** api3: opens a socket with the device's token, held to the end of the run; a device holds one open at a time. */
  private async listen(): Promise<void> {
    const sockets = this.env.sockets;
    if (!sockets || !this.loggedIn || (this.socket && !this.socket.ended)) return;
    const labels = this.toNextNode();
    this.socket = await sockets.open(this.client.protocol, this.client.authToken, labels, this.generation);
  }

  private async readRenewing(): Promise<void> {
    const outcome = await this.read();
    if (outcome.kind === "error" && outcome.exchange.response?.status === 401 && (await this.relogIn())) await this.read();
  }

  /** GET /wallet with the held token, or another one; a 404 before any base gives the empty wallet as base. */
  private async read(token?: HeldToken): Promise<GetOutcome> {
    const labels = this.toNextNode();
    const outcome = await this.withToken(token, () => this.client.getWallet());
    this.env.recorder.get(labels, token?.generation ?? this.generation, outcome.exchange);
    this.env.control.observe(outcome.exchange);
    if (outcome.kind === "error" && outcome.exchange.response?.status === 404 && !this.client.walletState) {
      this.client.newWalletState();
    }
    return outcome;
  }

  /** POST /wallet of base + local changes as `sequence` (base + 1 unless hostile), recorded with what the device had seen. */
  private async post(move: string, sequence?: number, token?: HeldToken): Promise<Posted> {
    const generation = token?.generation ?? this.generation;
    return this.withToken(token, async () => {
      const baseSequence = this.client.walletState?.sequence ?? 0;
      const baseHmac = this.client.baseHmac();
      const body = this.client.nextWalletRequest(sequence);
      const sent: PostedWallet = {
        encryptedWallet: body.encryptedWallet,
        sequence: body.sequence,
        hmac: body.hmac,
        baseSequence,
        ...(baseHmac !== undefined ? { baseHmac } : {}),
        move,
      };
      const labels = this.toNextNode();
      const outcome = await this.client.postWallet(sequence);
      if (outcome.kind === "no-state") throw new Error("a device posted without a base");
      this.env.recorder.post(labels, generation, sent, outcome.exchange);
      this.env.control.observe(outcome.exchange);
      // api3: the GET the client made after a 409, on the same node with the same token.
      if (outcome.kind !== "accepted" && outcome.read) {
        this.env.recorder.get(labels, generation, outcome.read);
        this.env.control.observe(outcome.read);
      }
      this.lastPost = { body, sent, generation };
      return outcome;
    });
  }

  /** Points the client at the node of the next request; the labels to record it with name that node. */
  private toNextNode(): OperationLabels {
    const node = this.cursor.next();
    this.client.protocol = node.protocol;
    return node.label !== undefined ? { ...this.labels, node: node.label } : this.labels;
  }

  /** Runs `action` with the client holding `token` instead of its own (the device makes one request at a time). */
  private async withToken<T>(token: HeldToken | undefined, action: () => Promise<T>): Promise<T> {
    if (!token) return action();
    const own = this.client.authToken;
    this.client.authToken = token.token;
    try {
      return await action();
    } finally {
      this.client.authToken = own;
    }
  }
}

function tokenIn(exchange: Exchange): string | undefined {
  const token = (exchange.response?.json as { token?: unknown } | undefined)?.token;
  return typeof token === "string" ? token : undefined;
}
