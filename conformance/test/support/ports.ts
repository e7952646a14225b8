// Ports the OS picks, for tests and scripts that start a server on a port
// chosen beforehand or need a port where nothing answers.
import { createServer } from "node:net";

/** A port that was open a moment ago and is closed now: free for a server to take, and nothing answers there. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
