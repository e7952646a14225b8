// Deployments (DEPLOY-*): several nodes given with --url must behave as one
// server. Each case makes a change through the first node and looks through
// every other node, where a node's own copy of the wallet, a lagging replica
// or a per-node token table shows. With a single --url there is no other
// node: the same steps go to that server, where they must pass as well.
// In the api3 profile, sockets are opened on every node, and a password
// change through the first node must end its tokens and sockets on all.
import type { WalletVersion } from "../../../spec/index.js";
import type { CheckContext } from "../model/context.js";
import { defineCheck, type CheckCase } from "../model/case.js";
import { exchangeFinding } from "../model/describe.js";
import { nodeLabel } from "../interleavings/workload/routing.js";
import { expectEveryoneHears, store } from "./notifications.js";
import { changePassword } from "./support/account-steps.js";
import { expectStatus } from "./support/expect.js";
import { expectClosed, withSockets, type Listener } from "./support/sockets.js";
import { describeWallet, sameWallet, Steps, stepsTaken, walletRequest, type Device } from "./support/steps.js";

interface NodeSteps {
  /** "n2"; "the server" when there is one node. */
  name: string;
  /** Its index in the deployment's nodes. */
  node: number;
  steps: Steps;
}

/** Steps through each node but the first; the first itself when it is the only one. */
function otherNodes(ctx: CheckContext): NodeSteps[] {
  if (ctx.nodeUrls.length === 1) return [{ name: "the server", node: 0, steps: new Steps(ctx) }];
  return ctx.nodeUrls.slice(1).map((_url, index) => ({
    name: nodeLabel(index + 1),
    node: index + 1,
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

const heardOnEveryNode = defineCheck({
  requirement: "NOTIFY-2",
  slug: "heard-on-every-node",
  file: import.meta.url,
  alsoChecks: [...stepsTaken("device"), "SEQ-1", "SEQ-2", "NOTIFY-1", "DEPLOY-1"],
  title: "A version stored through any node is announced to the account's sockets on every node (one --url: the same steps on that server)",
  async run(ctx) {
    const first = new Steps(ctx);
    const nodes = otherNodes(ctx);
    const device = await first.device();
    await withSockets(ctx, async (sockets) => {
      const listeners: Listener[] = [await sockets.listen(device, `a socket on ${firstNode(ctx)}`)];
      for (const node of nodes) listeners.push(await sockets.listen(device, `a socket on ${node.name}`, node.node));
      await expectEveryoneHears(first, listeners, 1, await store(first, device, 1));
      for (const [index, node] of nodes.entries()) await expectEveryoneHears(first, listeners, index + 2, await store(node.steps, device, index + 2));
    });
  },
});

const passwordChangeEverywhere = defineCheck({
  requirement: "PASS-2",
  slug: "tokens-ended-on-every-node",
  file: import.meta.url,
  alsoChecks: [...stepsTaken("device", "changePassword"), "NOTIFY-4", "DEPLOY-2"],
  title: "A password change through one node ends the account's tokens on every node, and closes its sockets there (one --url: the same steps on that server)",
  async run(ctx) {
    const first = new Steps(ctx);
    const nodes = otherNodes(ctx);
    const device = await first.device();
    await withSockets(ctx, async (sockets) => {
      const listeners: Listener[] = [];
      // Each node uses the token before the change: a node that keeps what it learnt of a token shows it afterwards.
      for (const node of nodes) {
        await node.steps.tokenWorks(device, "DEPLOY-2", `reading with a token issued through ${firstNode(ctx)}, on ${node.name}`);
        listeners.push(await sockets.listen(device, `a socket on ${node.name}`, node.node));
      }
      const changed = await changePassword(first, device.account, undefined);
      for (const [index, node] of nodes.entries()) {
        const doing = `on ${node.name}, with a token that a password change through ${firstNode(ctx)} ended`;
        expectStatus(node.steps.ctx, await node.steps.ctx.client.getWallet(device.token), { requirement: "PASS-2", status: 401, doing: `reading ${doing}` });
        const post = await node.steps.ctx.client.postWallet(walletRequest(device.token, 1));
        expectStatus(node.steps.ctx, post, { requirement: "PASS-2", status: 401, doing: `a POST /wallet ${doing}` });
        await expectClosed(ctx, listeners[index]!, { requirement: "NOTIFY-4", doing: `${listeners[index]!.name}, opened with a token that a password change through ${firstNode(ctx)} ended`, after: [changed.exchange] });
      }
    });
  },
});

export const deploymentChecks: readonly CheckCase[] = [writesSeenEverywhere, tokensEverywhere, heardOnEveryNode, passwordChangeEverywhere];
