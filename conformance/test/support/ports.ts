// Ports for tests that need nothing to answer.
import { createServer } from "node:net";

/** A port that was open a moment ago and is closed now: nothing answers there. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
