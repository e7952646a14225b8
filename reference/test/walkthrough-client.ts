// The founding walkthrough's test client, ported: it derives its secrets from
// the root password, keeps a merge base and local changes on top (an append
// log of ":xxxx" segments), checks every hmac, and logs what the Python client
// prints.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { TestClient } from "./helpers.js";

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

export interface WalletState {
  sequence: number;
  encryptedWallet: string;
}

interface WalletReply {
  encryptedWallet: string;
  sequence: number;
  hmac: string;
}

export class WalkthroughClient {
  readonly log: string[] = [];
  readonly deviceId: string;
  private email = "";
  private loginPassword = "";
  private hmacKey = "";
  private token = "";
  private base: WalletState | undefined;
  private localChanges: string[] = [];

  constructor(
    private readonly http: TestClient,
    private readonly nextChange: () => string = () => randomBytes(2).toString("hex"),
    deviceId: string = randomUUID(),
  ) {
    this.deviceId = deviceId;
  }

  setAccount(email: string, rootPassword: string): void {
    this.email = email;
    this.loginPassword = sha256(`login:${rootPassword}`);
    this.hmacKey = sha256(`hmac:${rootPassword}`);
  }

  async register(): Promise<void> {
    const reply = await this.http.signup(this.email, this.loginPassword);
    if (reply.status !== 201) throw new Error(`register: ${reply.status} ${reply.text}`);
    this.log.push("Registered");
  }

  async getAuthToken(): Promise<string> {
    const reply = await this.http.auth(this.email, this.loginPassword, this.deviceId);
    if (reply.status !== 200) throw new Error(`auth: ${reply.status} ${reply.text}`);
    this.token = (reply.json as { token: string }).token;
    this.log.push(`Got auth token: ${this.token}`);
    return this.token;
  }

  newWalletState(): void {
    this.base = { sequence: 0, encryptedWallet: "-" };
    this.localChanges = [];
  }

  curEncryptedWallet(): string {
    return (this.base?.encryptedWallet ?? "-") + this.localChanges.map((change) => `:${change}`).join("");
  }

  changeEncryptedWallet(): void {
    this.localChanges.push(this.nextChange());
  }

  hmacOf(sequence: number, encryptedWallet: string): string {
    return sha256(`${this.hmacKey}:${sequence}:${encryptedWallet}`);
  }

  async getWallet(): Promise<WalletState> {
    const reply = await this.http.getWallet(this.token);
    if (reply.status !== 200) throw new Error(`get_wallet: ${reply.status} ${reply.text}`);
    this.log.push("Got latest walletState:");
    return this.takeAsBase(reply.json as WalletReply);
  }

  /** "stored" on 200, "conflict" on 409 (the returned wallet becomes the base, local changes kept). */
  async postWallet(): Promise<"stored" | "conflict"> {
    const sequence = (this.base?.sequence ?? 0) + 1;
    const encryptedWallet = this.curEncryptedWallet();
    const reply = await this.http.postWallet(this.token, sequence, encryptedWallet, this.hmacOf(sequence, encryptedWallet));
    if (reply.status === 200) {
      this.log.push("Successfully updated wallet state on server", "Got new walletState:");
      this.localChanges = [];
      this.takeAsBase(reply.json as WalletReply);
      return "stored";
    }
    if (reply.status === 409) {
      this.log.push("Wallet state out of date. Getting updated wallet state. Try posting again after this.", "Got new walletState:");
      this.takeAsBase(reply.json as WalletReply);
      return "conflict";
    }
    throw new Error(`post_wallet: ${reply.status} ${reply.text}`);
  }

  private takeAsBase(wallet: WalletReply): WalletState {
    if (wallet.hmac !== this.hmacOf(wallet.sequence, wallet.encryptedWallet)) throw new Error("hmac does not check");
    if (this.base && wallet.sequence < this.base.sequence) throw new Error("sequence went backwards");
    this.base = { sequence: wallet.sequence, encryptedWallet: wallet.encryptedWallet };
    this.log.push(`WalletState(sequence=${wallet.sequence}, encrypted_wallet='${wallet.encryptedWallet}')`);
    return this.base;
  }
}
