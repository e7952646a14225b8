// The client checks get: a ProtocolClient whose typed calls retry a 5xx,
// because a correct server may answer a well-formed request 5xx under load
// (the original's SQLite does). Raw send() is what checks use for crafted
// requests; it never retries, so a 5xx to a malformed request stays visible.
import { setTimeout as sleep } from "node:timers/promises";
import type { AuthRequest } from "../../../spec/index.js";
import type { Api3PasswordChangeRequest } from "../../../spec/api3.js";
import { ProtocolClient, type Exchange, type RawRequest, type SignupBody, type WalletPost } from "../client/protocol-client.js";
import type { CheckClient } from "../model/context.js";

const retryDelaysMs = [50, 150];

export class RetryingClient extends ProtocolClient implements CheckClient {
  sendWellFormed(raw: RawRequest): Promise<Exchange> {
    return retryServerErrors(() => this.send(raw));
  }

  override signup(body: SignupBody): Promise<Exchange> {
    return retryServerErrors(() => super.signup(body));
  }

  override auth(body: AuthRequest): Promise<Exchange> {
    return retryServerErrors(() => super.auth(body));
  }

  override getWallet(token: string): Promise<Exchange> {
    return retryServerErrors(() => super.getWallet(token));
  }

  override postWallet(body: WalletPost): Promise<Exchange> {
    return retryServerErrors(() => super.postWallet(body));
  }

  override getClientSaltSeed(email: string): Promise<Exchange> {
    return retryServerErrors(() => super.getClientSaltSeed(email));
  }

  override changePassword(body: Api3PasswordChangeRequest): Promise<Exchange> {
    return retryServerErrors(() => super.changePassword(body));
  }
}

async function retryServerErrors(attempt: () => Promise<Exchange>): Promise<Exchange> {
  let exchange = await attempt();
  for (const delay of retryDelaysMs) {
    if (!exchange.response || exchange.response.status < 500) break;
    await sleep(delay);
    exchange = await attempt();
  }
  return exchange;
}
