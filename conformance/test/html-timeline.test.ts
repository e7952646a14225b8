// The HTML report's timeline of an interleaving failure: which operations it
// draws (all of a small history; for a large one only the accounts with
// violations, cropped around the contradicting operations), and how it
// renders in headless Chromium: bars per client lane, the contradicting
// operations outlined and explained, hover linking, nothing a server sent
// executed.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { checkHistory } from "../src/history/checker.js";
import { formatHtmlReport } from "../src/report/html/page.js";
import { renderInterleaving } from "../src/report/html/interleaving.js";
import { cropAround, planTimeline } from "../src/report/html/timeline-plan.js";
import { hostileText, interleavingResult, largeBrokenHistory, runOf, smallBrokenHistory } from "./fixtures/interleaving-run.js";
import { describeOperation, narratorFor } from "../src/interleavings/property/history-text.js";
import { accepted, changed, HistoryBuilder, serverError, upgraded } from "./interleavings/history-builder.js";
import { describeInChromium, openReport, useChromium } from "./support/chromium.js";

// Browser globals for the callbacks that run in the page (the project's lib has no DOM).
declare const window: { __pwned?: number };
declare function getComputedStyle(element: unknown): { stroke: string };

const barCount = (html: string) => (html.match(/<g class="op /g) ?? []).length;

describe("which operations the timeline draws", () => {
  test("a small history whole, in one picture, with the operations of every violation highlighted", () => {
    const history = smallBrokenHistory();
    const { violations } = checkHistory(history);
    const plan = planTimeline(history, violations);
    expect(plan.panels).toHaveLength(1);
    expect(plan.panels[0]?.operations).toHaveLength(history.operations.length);
    expect([...(plan.panels[0]?.highlighted ?? new Map())]).toEqual([
      [7, [1, 2]],
      [8, [1]],
      [10, [2]],
    ]);
  });

  test("a large history: only the account with the violation, within the budget", () => {
    const history = largeBrokenHistory();
    const { violations } = checkHistory(history);
    expect(history.operations.length).toBeGreaterThan(5000);
    const plan = planTimeline(history, violations);
    expect(plan.panels.map((p) => p.accounts)).toEqual([[violations[0]?.account]]);
    expect(plan.panels[0]?.operations.length).toBeLessThanOrEqual(400);
  });

  test("one huge account: cropped around the contradicting operations, which stay in", () => {
    const history = largeBrokenHistory(1, 3000);
    const { violations } = checkHistory(history);
    const plan = planTimeline(history, violations);
    const shown = new Set(plan.panels[0]?.operations.map((op) => op.id));
    expect(shown.size).toBe(400);
    for (const id of violations[0]?.operations ?? []) expect(shown.has(id)).toBe(true);
    expect(barCount(renderInterleaving({ history, violations }, "huge"))).toBe(400);
  });

  test("a password change and a socket's life: described in words and drawn (api3)", () => {
    const h = new HistoryBuilder("append-log", "api3");
    h.auth("A", [0, 1]);
    h.post("A", 1, "-:a", [2, 3], accepted);
    const socket = h.socket("A", [4, 5], upgraded, { frames: [[7, "wallet-update:1"], [9, "wallet-update:9"]], closed: { by: "client", at: 30 } });
    const change = h.password("B", { from: "p0", to: "p1", wallet: { sequence: 2, content: "-:a" } }, [10, 12], changed);
    const history = h.build();
    const narrator = narratorFor(history);
    expect(describeOperation(change, narrator)).toBe(
      "#4 account acct, client B: password change p0 → p1 with sequence 2 on base 1, ending A's token 1 → 200; sent t=10.0 ms, done t=12.0 ms",
    );
    expect(describeOperation(socket, narrator)).toBe(
      '#3 account acct, client A: socket with token 1 → 101; sent t=4.0 ms, done t=5.0 ms; received "wallet-update:1" at t=7.0 ms, "wallet-update:9" at t=9.0 ms; still open when the client closed it at t=30.0 ms',
    );
    const { violations } = checkHistory(history);
    expect(violations.map((v) => v.requirement)).toEqual(["NOTIFY-4", "NOTIFY-3"]);
    const html = renderInterleaving({ history, violations }, "api3");
    expect(barCount(html)).toBe(history.operations.length);
    expect(html.match(/<circle class="frame"/g)).toHaveLength(2);
    expect(html).toContain('<text class="socket-end"');
    expect(html).toMatch(/data-op="4"[^]*?class="bar-label"[^>]*>(password 2|W2)</);
  });

  test("a 5xx is drawn as no settling answer, marked a server error, at the time it happened", () => {
    const h = new HistoryBuilder();
    h.post("A", 1, "-:a", [0, 1], accepted);
    const failed = h.post("B", 2, "-:a:b", [10, 12], serverError(503));
    // A violation in the same account, so that it is drawn: sequence 1 accepted twice.
    h.post("C", 1, "-:c", [20, 21], accepted);
    const history = h.build();
    const html = renderInterleaving({ history, violations: checkHistory(history).violations }, "errors");
    expect(html).toContain(`<g class="op indeterminate server-error" data-op="${failed.id}"`);
    expect(html).toMatch(new RegExp(`data-op="${failed.id}"[^]*?<title>[^<]*503[^<]*t=10\\.0 ms`));
    expect(html.match(/class="op [^"]*server-error/g)).toHaveLength(1);
  });

  test("cropping widens around every highlighted operation in turn", () => {
    const operations = smallBrokenHistory().operations;
    expect(cropAround(operations, new Set([1, 13]), 4).map((op) => op.id)).toEqual([1, 2, 12, 13]);
  });

  test("at most maxPanels pictures; the other accounts' violations are listed, not drawn", () => {
    const h = new HistoryBuilder();
    for (let account = 1; account <= 5; account++) {
      const options = { account: `a${account}` };
      h.post("A", 1, "-:1", [0, 1], accepted, options);
      h.post("B", 1, "-:2", [2, 3], accepted, options);
    }
    const history = h.build();
    const { violations } = checkHistory(history);
    expect(violations.filter((v) => v.requirement === "LIN-2")).toHaveLength(5);
    const plan = planTimeline(history, violations, { maxOperations: 4, maxPanels: 3 });
    expect(plan.panels).toHaveLength(3);
    expect(new Set(plan.undrawn.map((v) => v.violation.account))).toEqual(new Set(["a4", "a5"]));
  });
});

describeInChromium("the timeline in headless Chromium", () => {
  const browser = useChromium();
  let dir: string;
  let file: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wallet-sync-timeline-"));
    file = join(dir, "report.html");
    const run = runOf([interleavingResult(smallBrokenHistory()), { ...interleavingResult(largeBrokenHistory()), id: "LIN-2/large-history" }]);
    await writeFile(file, formatHtmlReport(run));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test("draws one lane per client with a bar per operation, the contradicting ones outlined and explained", async () => {
    const { page, errors, requests } = await openReport(browser(), file);
    const figure = page.locator("figure.interleaving").first();
    const svg = figure.locator("svg.timeline");
    expect(await svg.count()).toBe(1);
    expect(await svg.locator("text.client").allTextContents()).toEqual(["client A", "client B", "client C"]);
    expect(await svg.locator("g.op").count()).toBe(smallBrokenHistory().operations.length);
    expect(await svg.locator("g.op.ok").count()).toBeGreaterThan(0);
    expect(await svg.locator("g.op.refused").count()).toBe(1);
    expect(await svg.locator("g.op.indeterminate").count()).toBe(3);

    const highlighted = svg.locator("g.op.hl");
    expect(await highlighted.evaluateAll((bars) => bars.map((bar) => bar.getAttribute("data-op")))).toEqual(["7", "8", "10"]);
    for (const rect of await highlighted.locator("rect").all()) {
      const box = await rect.boundingBox();
      expect(box?.width).toBeGreaterThan(2);
      expect(await rect.evaluate((r) => getComputedStyle(r).stroke)).toBe("rgb(215, 38, 61)");
    }
    expect(await svg.locator("g.op.hl text.badge").allTextContents()).toEqual(["#1 #2", "#1", "#2"]);

    const explanations = figure.locator("li.violation");
    expect(await explanations.count()).toBe(2);
    expect(await explanations.first().textContent()).toContain("Sequence 4 was accepted twice");
    expect(await explanations.nth(1).textContent()).toContain("a stale version");
    const article = page.locator("article.case").first();
    expect(await article.locator("pre.replay-commands").textContent()).toContain("--replay reports/histories/LIN-2-seed-42.json");
    expect(await article.locator("details.workload pre").textContent()).toContain("device A posts 4 times");
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  test("hovering a violation picks out its operations", async () => {
    const { page, errors } = await openReport(browser(), file);
    const figure = page.locator("figure.interleaving").first();
    await figure.locator("li.violation").nth(1).hover();
    expect(await figure.locator("g.op.focus").evaluateAll((bars) => bars.map((bar) => bar.getAttribute("data-op")))).toEqual(["7", "10"]);
    expect(await figure.evaluate((f) => f.classList.contains("focusing"))).toBe(true);
    await page.mouse.move(0, 0);
    expect(await figure.locator("g.op.focus").count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  test("shows what a hostile server sent as text and runs none of it", async () => {
    const { page, errors } = await openReport(browser(), file);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.locator("script").count()).toBe(1);
    const title = await page.locator('figure.interleaving g.op[data-op="8"] title').first().textContent();
    expect(title).toContain(hostileText.slice(-30));
    expect(errors).toEqual([]);
    await page.close();
  });

  test("a large history is drawn bounded: the violating account only", async () => {
    const { page } = await openReport(browser(), file);
    const figure = page.locator("#case-LIN-2-large-history figure.interleaving");
    expect(await figure.count()).toBe(1);
    const bars = await figure.locator("g.op").count();
    expect(bars).toBeGreaterThan(10);
    expect(bars).toBeLessThanOrEqual(400);
    expect(await figure.locator("g.op.hl").count()).toBe(2);
    expect(await figure.locator("figcaption").textContent()).toContain("only accounts with violations are drawn");
    await page.close();
  });
});
