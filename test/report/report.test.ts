/**
 * Issue 6 acceptance: report.html from a run on the bundled sample export is one self-contained file that
 * renders offline in Chromium with every chart drawn.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipeline } from "../../pipelines/run.ts";
import { Db } from "../../src/db/duckdb.ts";
import { writeReport } from "../../src/report/report.ts";
import type { Logger } from "../../src/types.ts";
import { tempDir } from "../helpers/db.ts";
import { launchChromium } from "../web/browser.ts";

const quiet: Logger = { info: () => {}, warn: () => {} };
const clock = { now: () => new Date("2026-01-05T02:00:00Z") };
const SAMPLE = new URL("../../data/fixtures/sample/", import.meta.url).pathname;

let dir: string;
let cleanup: () => Promise<void>;
let browser: Browser;
let reportPath: string;
let rings: number;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("bidwatch-report-"));
  browser = await launchChromium();
  const db = await Db.open(":memory:");
  try {
    const out = join(dir, "out");
    const { summary } = await runPipeline({ inputs: [SAMPLE], outDir: out }, { db, clock, logger: quiet });
    rings = summary.alerts.by_kind.ring ?? 0;
    reportPath = await writeReport(db, summary, out);
  } finally {
    db.close();
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await cleanup?.();
});

describe("nightly report", () => {
  it("is one file with everything inlined", async () => {
    expect(reportPath).toBe(join(dir, "out", "report.html"));
    const text = await readFile(reportPath, "utf8");
    expect(text).not.toMatch(/<script[^>]+src=/i);
    expect(text).not.toMatch(/<link[^>]+href=/i);
    expect(text).toContain("echarts");
    expect(text).toContain("数据质量 Data quality");
  });

  it("renders offline in Chromium with its charts drawn", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const outside: string[] = [];
    const errors: string[] = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
      outside.push(url);
      return route.abort();
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await page.goto(pathToFileURL(reportPath).href);
    await page.waitForSelector("[data-chart][data-drawn]");
    await expect.poll(() => page.locator("[data-chart]:not([data-drawn])").count()).toBe(0);

    const charts = await page.locator("[data-chart]").evaluateAll((els) =>
      els.map((el) => ({
        id: el.id,
        svg: el.querySelectorAll("svg").length,
        shapes: el.querySelectorAll("svg path, svg rect").length,
        text: (el.textContent ?? "").trim().length,
      })),
    );
    const ids = charts.map((c) => c.id);
    for (const id of ["by-kind", "by-channel", "by-region", "by-rule", "alert-scores", "tender-risk"]) {
      expect(ids).toContain(id);
    }
    expect(ids.filter((id) => id.startsWith("screen-"))).toHaveLength(8);
    expect(rings).toBeGreaterThan(0);
    expect(ids.filter((id) => id.startsWith("ring-")).length).toBe(Math.min(4, rings));
    for (const c of charts) {
      expect(c.svg, c.id).toBe(1);
      expect(c.shapes, c.id).toBeGreaterThan(3);
      expect(c.text, c.id).toBeGreaterThan(0);
    }
    // A ring graph has a node per firm and labelled edges.
    const ringText = await page.locator("#ring-1").textContent();
    expect(ringText).toMatch(/\d\.\d\d/);
    expect(await page.locator("table.grid tbody tr").count()).toBeGreaterThan(10);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
