// The reference and one broken server, started before a file's tests and
// closed after them, for tests that run the command line against both.
import { afterAll, beforeAll } from "vitest";
import { startReferenceServer, type ReferenceServer } from "../../../reference/src/index.js";
import { brokenServers } from "../../src/broken/servers.js";

export interface StartedServers {
  reference: ReferenceServer;
  broken: ReferenceServer;
}

export function startedServers(brokenName = "accepts-skipped-sequence"): StartedServers {
  const servers = {} as StartedServers;
  beforeAll(async () => {
    servers.reference = await startReferenceServer({ scryptCost: 64 });
    servers.broken = await brokenServers[brokenName]!.start({ scryptCost: 64 });
  });
  afterAll(() => Promise.all([servers.reference.close(), servers.broken.close()]));
  return servers;
}
