// The server checked when no --url is given: the reference, on a free port of
// the loopback interface, for as long as the run lasts.
import type { ProfileName } from "../../../spec/index.js";
import { startReferenceServer } from "../../../reference/src/index.js";

export interface EmbeddedServer {
  url: string;
  close(): Promise<void>;
}

export async function startEmbeddedReference(profile: ProfileName = "seed"): Promise<EmbeddedServer> {
  const server = await startReferenceServer({ host: "127.0.0.1", port: 0, protocol: profile });
  return { url: server.url, close: () => server.close() };
}
