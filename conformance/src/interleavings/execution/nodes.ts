// The nodes of a deployment as a workload sees them: a client for each, and
// for each device a cursor that sends its requests along its route (one
// node after another, over and over). With one node nothing is labelled,
// so histories of a single server are what they always were.
import type { ProtocolClient } from "../../client/protocol-client.js";
import { nodeLabel } from "../workload/routing.js";

export interface DeploymentNode {
  protocol: ProtocolClient;
  /** "n1", "n2", ...; absent when the deployment is one server. */
  label?: string;
}

/** The nodes of the clients given, in --url order. */
export function deploymentNodes(protocols: readonly ProtocolClient[]): DeploymentNode[] {
  if (protocols.length === 0) throw new Error("a deployment needs at least one node");
  return protocols.map((protocol, index) => (protocols.length > 1 ? { protocol, label: nodeLabel(index) } : { protocol }));
}

/** Where a device's requests go, one after another. */
export class RouteCursor {
  private turn = 0;

  constructor(
    private readonly nodes: readonly DeploymentNode[],
    private readonly route: readonly number[] = [0],
  ) {
    const missing = route.find((index) => index >= nodes.length);
    if (missing !== undefined) {
      throw new Error(`the workload sends requests to ${nodeLabel(missing)}, but the deployment has ${nodes.length} node${nodes.length === 1 ? "" : "s"}`);
    }
  }

  /** The node of the next request. */
  next(): DeploymentNode {
    const index = this.route[this.turn++ % this.route.length]!;
    return this.nodes[index]!;
  }
}
