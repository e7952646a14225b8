// npm run docs: the spec as a web site in docs/ (git-ignored): protocol.md,
// an index, and for each profile its OpenAPI reference (Redocly), its
// notification channel (AsyncAPI) where it has one, its walkthrough and its
// traceability matrix from requirements to conformance cases. Every page is
// self-contained and links to the others by relative paths, so the folder
// can be opened from disk or served from anywhere.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, posix, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadRequirements, profileFiles, profileNames, specDir, specFiles, specProfile, type ProfileName } from "../spec/index.js";
import { loadTraceability, type Traceability } from "../conformance/src/traceability.js";
import { suiteVersion } from "../conformance/src/version.js";
import { buildApiReference } from "./site/api-reference.js";
import { asyncapiBody } from "./site/asyncapi-page.js";
import { indexBody } from "./site/index-page.js";
import { page } from "./site/layout.js";
import { renderMarkdown } from "./site/markdown.js";
import { profilePages } from "./site/profile-pages.js";
import { traceabilityBody } from "./site/traceability-page.js";

export const repositoryRoot = dirname(specDir);

/** Writes every page into outDir and returns the files written. */
export async function buildDocs(outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const write = async (file: string, html: string) => {
    await writeFile(join(outDir, file), html, "utf8");
    written.push(file);
  };
  const requirements = loadRequirements();
  // A requirement links to the cases of every profile it binds.
  const profilesOf = new Map(requirements.map((requirement) => [requirement.id, requirement.profiles]));
  const traceLinks = (id: string) =>
    (profilesOf.get(id) ?? []).map((profile) => ({ label: `${profile} cases`, href: `${profilePages(profile).traceability}#${id}` }));
  await write("protocol.html", page({ file: "protocol.html", title: "Protocol", body: renderMarkdown(await readFile(specFiles.protocol, "utf8"), { traceLinks }) }));

  const traceabilities = new Map<ProfileName, Traceability>();
  for (const profile of profileNames) {
    const pages = profilePages(profile);
    const files = profileFiles(profile);
    const { asyncapiFile, walkthroughFile } = specProfile(profile);
    const traceability = loadTraceability(profile);
    traceabilities.set(profile, traceability);
    await buildApiReference(files.openapi, join(outDir, pages.api), join(repositoryRoot, "redocly.yaml"), `wallet-sync API reference, ${profile} profile`);
    written.push(pages.api);
    if (pages.notifications !== undefined && files.asyncapi !== undefined && asyncapiFile !== undefined) {
      const body = asyncapiBody(await readFile(files.asyncapi, "utf8"), { from: posix.dirname(asyncapiFile), traceLinks });
      await write(pages.notifications, page({ file: pages.notifications, title: `Notifications (${profile})`, body }));
    }
    const walkthrough = renderMarkdown(await readFile(files.walkthrough, "utf8"), { from: posix.dirname(walkthroughFile), traceLinks });
    await write(pages.walkthrough, page({ file: pages.walkthrough, title: `Walkthrough (${profile})`, body: walkthrough }));
    const matrix = traceabilityBody(traceability, profile);
    await write(pages.traceability, page({ file: pages.traceability, title: `Traceability (${profile})`, body: matrix, wide: true }));
  }
  await write("index.html", page({ file: "index.html", title: "Overview", body: indexBody(traceabilities, requirements.length, suiteVersion().version) }));
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? join(repositoryRoot, "docs"));
  try {
    const files = await buildDocs(outDir);
    process.stdout.write(`docs written to ${outDir}: ${files.join(", ")}\n`);
  } catch (error) {
    process.stderr.write(`build-docs: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
