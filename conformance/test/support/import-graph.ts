// The project's own import graph, read with the TypeScript compiler's
// pre-processor (every static import, export-from and dynamic import with a
// literal path, type-only ones included), for the architecture tests.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/** Module path (relative to the root, with .ts) -> the modules it imports, as written. */
export interface ImportGraph {
  root: string;
  /** Relative imports resolved to project files. */
  local: Map<string, string[]>;
  /** Everything else: packages and node: built-ins. */
  external: Map<string, string[]>;
}

function typeScriptFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

export function readImportGraph(root: string, folders: readonly string[]): ImportGraph {
  const graph: ImportGraph = { root, local: new Map(), external: new Map() };
  for (const folder of folders) {
    for (const file of typeScriptFiles(join(root, folder))) {
      const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
      const local: string[] = [];
      const external: string[] = [];
      for (const { fileName } of info.importedFiles) {
        if (fileName.startsWith(".")) local.push(relative(root, resolve(dirname(file), fileName.replace(/\.js$/, ".ts"))));
        else external.push(fileName);
      }
      graph.local.set(relative(root, file), local);
      graph.external.set(relative(root, file), external);
    }
  }
  return graph;
}

/** Every import cycle among the graph's modules, each as the list of modules around it (Tarjan's strongly connected components). */
export function importCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (module: string): void => {
    index.set(module, counter);
    lowLink.set(module, counter);
    counter++;
    stack.push(module);
    onStack.add(module);
    for (const next of graph.local.get(module) ?? []) {
      if (!graph.local.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        lowLink.set(module, Math.min(lowLink.get(module)!, lowLink.get(next)!));
      } else if (onStack.has(next)) {
        lowLink.set(module, Math.min(lowLink.get(module)!, index.get(next)!));
      }
    }
    if (lowLink.get(module) !== index.get(module)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== module);
    const selfImport = graph.local.get(module)?.includes(module) ?? false;
    if (component.length > 1 || selfImport) cycles.push(component.sort());
  };
  for (const module of graph.local.keys()) if (!index.has(module)) visit(module);
  return cycles;
}
