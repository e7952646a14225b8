// The docs' front page: what the protocol is and where each page is.
import type { Traceability } from "../../conformance/src/traceability.js";

export function indexBody(traceability: Traceability, version: string): string {
  const requirements = traceability.requirements.length;
  const cases = new Set(traceability.requirements.flatMap((t) => t.cases.map((c) => c.id))).size;
  return [
    "<h1>The wallet-sync protocol</h1>",
    "<p>Devices of one user keep one encrypted wallet in sync through a server that stores it as an opaque string with a sequence number;",
    "a device may only store the version that directly follows the one the server holds.</p>",
    "<ul>",
    `<li><a href="protocol.html">The protocol</a>: the normative description, ${requirements} requirements with stable IDs.</li>`,
    '<li><a href="api.html">API reference</a>: the wire format from <code>spec/openapi.yaml</code> (paths, bodies, status codes, schemas).</li>',
    '<li><a href="walkthrough.html">Walkthrough</a>: two devices syncing one wallet; the conformance suite runs it against every server (SYNC-1).</li>',
    `<li><a href="traceability.html">Traceability</a>: each requirement and the ${cases} conformance cases that check it, or why none can.</li>`,
    "</ul>",
    "<h2>Checking a server</h2>",
    "<pre><code>npx wallet-sync-conformance --url http://127.0.0.1:8090 --junit conformance.xml --html conformance.html</code></pre>",
    "<p>Exit status 0: the server conforms; 1: a MUST requirement failed (or a SHOULD one with <code>--strict</code>); 2: usage error or server unreachable.",
    "<code>--list</code> prints every case; <code>--help</code> every flag.</p>",
    `<p>Built from wallet-sync-conformance ${version}.</p>`,
  ].join("\n");
}
