// The docs' front page: what the protocol is and where each page is, per profile.
import { defaultProfile, specProfile, type ProfileName } from "../../spec/index.js";
import { escapeMarkup } from "../../conformance/src/report/markup.js";
import type { Traceability } from "../../conformance/src/traceability.js";
import { profilePages } from "./profile-pages.js";

function profileSection(profile: ProfileName, traceability: Traceability): string {
  const pages = profilePages(profile);
  const { openapiFile, asyncapiFile, walkthroughFile } = specProfile(profile);
  const cases = new Set(traceability.requirements.flatMap((t) => t.cases.map((c) => c.id))).size;
  const protocolFlag = profile === defaultProfile ? "" : ` --protocol ${profile}`;
  return [
    `<h2>The ${escapeMarkup(profile)} profile</h2>`,
    `<p>The ${escapeMarkup(profile)} profile is ${escapeMarkup(specProfile(profile).title)}.</p>`,
    "<ul>",
    `<li><a href="${pages.api}">API reference</a>: the wire format from <code>spec/${openapiFile}</code> (paths, bodies, status codes, schemas).</li>`,
    ...(pages.notifications !== undefined && asyncapiFile !== undefined
      ? [`<li><a href="${pages.notifications}">Notifications</a>: the WebSocket channel from <code>spec/${asyncapiFile}</code>.</li>`]
      : []),
    `<li><a href="${pages.walkthrough}">Walkthrough</a>: two devices of one account, from <code>spec/${walkthroughFile}</code>; the conformance suite runs it against every server (SYNC-1).</li>`,
    `<li><a href="${pages.traceability}">Traceability</a>: the ${traceability.requirements.length} requirements that bind the profile and the ${cases} conformance cases that check them, or why none can.</li>`,
    "</ul>",
    `<pre><code>npx wallet-sync-conformance${protocolFlag} --url http://127.0.0.1:8090 --junit conformance.xml --html conformance.html</code></pre>`,
  ].join("\n");
}

export function indexBody(traceabilities: ReadonlyMap<ProfileName, Traceability>, requirements: number, version: string): string {
  return [
    "<h1>The wallet-sync protocol</h1>",
    "<p>Devices of one user keep one encrypted wallet in sync through a server that stores it as an opaque string with a sequence number;",
    "a device may only store the version that directly follows the one the server holds.</p>",
    `<p><a href="protocol.html">The protocol</a>: the normative description, ${requirements} requirements with stable IDs, each binding every profile or the one it names.</p>`,
    ...[...traceabilities].map(([profile, traceability]) => profileSection(profile, traceability)),
    "<h2>Checking a server</h2>",
    "<p>Exit status 0: the server conforms; 1: a MUST requirement failed (or a SHOULD one with <code>--strict</code>); 2: usage error or server unreachable.",
    "<code>--list</code> prints every case; <code>--help</code> every flag.</p>",
    `<p>Built from wallet-sync-conformance ${version}.</p>`,
  ].join("\n");
}
