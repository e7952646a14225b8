// Reads spec/walkthrough.md: the `>>>` statements of its ```pycon blocks and
// the lines each one prints, with their line numbers for reports.

export interface ExpectedLine {
  text: string;
  /** 1-based line in the document. */
  line: number;
}

export interface WalkthroughStep {
  /** The statement without its `>>> ` prompt. */
  statement: string;
  line: number;
  /** What the statement prints, in order; empty when it prints nothing. */
  expected: ExpectedLine[];
}

const fenceOpen = /^```pycon\s*$/;
const fenceClose = /^```\s*$/;
const prompt = ">>> ";

export function parseWalkthrough(markdown: string): WalkthroughStep[] {
  const steps: WalkthroughStep[] = [];
  let inConsoleBlock = false;
  for (const [index, raw] of markdown.split(/\r?\n/).entries()) {
    const line = index + 1;
    if (!inConsoleBlock) {
      inConsoleBlock = fenceOpen.test(raw);
      continue;
    }
    if (fenceClose.test(raw)) {
      inConsoleBlock = false;
      continue;
    }
    if (raw.startsWith(prompt)) steps.push({ statement: raw.slice(prompt.length).trim(), line, expected: [] });
    else {
      const current = steps.at(-1);
      if (!current) throw new Error(`walkthrough line ${line}: output before any statement`);
      current.expected.push({ text: raw, line });
    }
  }
  if (inConsoleBlock) throw new Error("walkthrough: a ```pycon block is not closed");
  return steps;
}
