// Plain requests for showing a broken server's defect request by request:
// an account with one device, a POST of a given sequence, the stored sequence.
import { expect } from "vitest";

/** A fresh account on the server and a token for one of its devices. */
export async function device(url: string): Promise<string> {
  const account = { email: `depth-${Math.random().toString(36).slice(2)}@example.com`, password: "a password" };
  expect((await fetch(`${url}/signup`, { method: "POST", body: JSON.stringify(account) })).status).toBe(201);
  const auth = await fetch(`${url}/auth/full`, { method: "POST", body: JSON.stringify({ ...account, deviceId: "d0" }) });
  return ((await auth.json()) as { token: string }).token;
}

export async function post(url: string, token: string, sequence: number): Promise<number> {
  const body = { version: 1, token, encryptedWallet: `wallet ${sequence}`, sequence, hmac: `hmac ${sequence}` };
  const response = await fetch(`${url}/wallet`, { method: "POST", body: JSON.stringify(body) });
  await response.body?.cancel();
  return response.status;
}

export async function storedSequence(url: string, token: string): Promise<number> {
  const response = await fetch(`${url}/wallet?token=${token}`);
  return ((await response.json()) as { sequence: number }).sequence;
}
