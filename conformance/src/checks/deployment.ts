// Deployments (DEPLOY-*): several nodes given with --url must behave as one
// server. Each case makes a change through the first node and looks through
// every other node, where a node's own copy of the wallet, a lagging replica
// or a per-node token table shows. With a single --url there is no other
// node: the same steps go to that server, where they must pass as well.
import type { WalletVersion } from "../../../spec/index.js";
import type { CheckContext } from "../model/context.js";
import { defineCheck, type CheckCase } from "../model/case.js";
import { exchangeFinding } from "../report/describe.js";
import { nodeLabel } from "../interleavings/workload/routing.js";
import { expectStatus } from "./support/expect.js";
import { describeWallet, sameWallet, Steps, stepsTaken, walletRequest, type Device } from "./support/steps.js";

interface NodeSteps {
  /** "n2"; "the server" when there is one node. */
  name: string;
  steps: Steps;
}

/** Steps through each node but the first; the first itself when it is the only one. */
function otherNodes(ctx: CheckContext): NodeSteps[] {
  if (ctx.nodeUrls.length === 1) return [{ name: "the server", steps: new Steps(ctx) }];
  return ctx.nodeUrls.slice(1).map((_url, index) => ({
    name: nodeLabel(index + 1),
    steps: new Steps({ ...ctx, client: ctx.nodeClient(index + 1) }),
  }));
}

/** "n1" with several nodes, "the server" with one. */
function firstNode(ctx: CheckContext): string {
  return ctx.nodeUrls.length === 1 ? "the server" : nodeLabel(0);
}

/** Reads through `node` and reports under DEPLOY-1 unless it returns `expected`. */
async function expectReadOn(node: NodeSteps, device: Device, expected: WalletVersion, doing: string): Promise<void> {
  const { wallet, exchange } = await node.steps.read(device);
  if (sameWallet(wallet, expected)) return;
  node.steps.ctx.report(exchangeFinding(exchange, {
    requirement: "DEPLOY-1",
    message: `${doing}, reading it on ${node.name} right after returned ${describeWallet(node.steps.ctx.profile, wallet)}`,
    expected: describeWallet(node.steps.ctx.profile, expected),
  }));
}

const writesSeenEverywhere = defineCheck({
  requirement: "DEPLOY-1",
  slug: "one-wallet-on-every-node",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "store", "read", "refused"),
  title: "A wallet stored through one node is what every other node reads and checks the sequence against (one --url: the same steps on that server)",
  async run(ctx) {
    const first = new Steps(ctx);
    const nodes = otherNodes(ctx);
    const device = await first.device();
    let stored = await first.store(device, 1);
    for (const node of nodes) await expectReadOn(node, device, stored, `once sequence 1 was stored through ${firstNode(ctx)}`);
    // Each other node stores the next version; then the version before it, posted again through the first node, must be refused there.
    for (const node of nodes) {
      const previous = stored;
      stored = await node.steps.store(device, previous.sequence + 1);
      await first.refused(
        device,
        stored,
        { requirement: "DEPLOY-1", status: 409, doing: `a POST of sequence ${stored.sequence} through ${firstNode(ctx)} after ${node.name} had stored it` },
        () => ctx.client.postWallet(walletRequest(device.token, stored.sequence)),
      );
    }
  },
});

const tokensEverywhere = defineCheck({
  requirement: "DEPLOY-2",
  slug: "token-replaced-on-every-node",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "login", "refused"),
  title: "A token issued through one node works on every node, and once replaced through it is refused on every node (one --url: the same steps on that server)",
  async run(ctx) {
    const first = new Steps(ctx);
    const nodes = otherNodes(ctx);
    const old = await first.device();
    for (const node of nodes) await node.steps.tokenWorks(old, "DEPLOY-2", `reading with a token issued through ${firstNode(ctx)}, on ${node.name}`);
    const renewed = await first.login(old.account, old.deviceId);
    for (const node of nodes) {
      const read = await node.steps.ctx.client.getWallet(old.token);
      expectStatus(node.steps.ctx, read, {
        requirement: "DEPLOY-2",
        status: 401,
        doing: `reading on ${node.name} with a token that a new login through ${firstNode(ctx)} replaced`,
      });
      await node.steps.refused(
        renewed,
        undefined,
        { requirement: "DEPLOY-2", status: 401, doing: `a POST /wallet on ${node.name} with a token that a new login through ${firstNode(ctx)} replaced` },
        () => node.steps.ctx.client.postWallet(walletRequest(old.token, 1)),
      );
      await node.steps.tokenWorks(renewed, "DEPLOY-2", `reading on ${node.name} with the token that replaced it`);
    }
  },
});

export const deploymentChecks: readonly CheckCase[] = [writesSeenEverywhere, tokensEverywhere];
