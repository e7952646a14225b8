// npm run docs: the spec as a web site in docs/ (git-ignored): the OpenAPI
// reference (Redocly), protocol.md and walkthrough.md as pages, an index,
// and the traceability matrix from requirements to conformance cases. Every
// page is self-contained and links to the others by relative paths, so the
// folder can be opened from disk or served from anywhere.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { specDir, specFiles } from "../spec/index.js";
import { loadTraceability } from "../conformance/src/traceability.js";
import { suiteVersion } from "../conformance/src/version.js";
import { buildApiReference } from "./site/api-reference.js";
import { indexBody } from "./site/index-page.js";
import { page } from "./site/layout.js";
import { renderMarkdown } from "./site/markdown.js";
import { traceabilityBody } from "./site/traceability-page.js";

export const repositoryRoot = dirname(specDir);

/** Writes every page into outDir and returns the files written. */
export async function buildDocs(outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const traceability = loadTraceability("seed");
  const written: string[] = [];
  const write = async (file: string, html: string) => {
    await writeFile(join(outDir, file), html, "utf8");
    written.push(file);
  };

  await buildApiReference(specFiles.openapi, join(outDir, "api.html"), join(repositoryRoot, "redocly.yaml"));
  written.push("api.html");
  const markdownPages = [
    { file: "protocol.html", source: specFiles.protocol, title: "Protocol" },
    { file: "walkthrough.html", source: specFiles.walkthrough, title: "Walkthrough" },
  ];
  for (const { file, source, title } of markdownPages) {
    await write(file, page({ file, title, body: renderMarkdown(await readFile(source, "utf8")) }));
  }
  await write("traceability.html", page({ file: "traceability.html", title: "Traceability", body: traceabilityBody(traceability), wide: true }));
  await write("index.html", page({ file: "index.html", title: "Overview", body: indexBody(traceability, suiteVersion().version) }));
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
