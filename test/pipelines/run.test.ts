/**
 * Issue 2 acceptance: a generated export with injected bad rows and a GBK bids.csv with Chinese headers
 * runs end to end; every valid row loads, every bad row is rejected with its reason, counts reconcile,
 * and running the same files again loads nothing new and yields identical alerts (ids and ranks).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipeline } from "../../pipelines/run.ts";
import { Db } from "../../src/db/duckdb.ts";
import { generateExport } from "../../src/generate/index.ts";
import type { Logger } from "../../src/types.ts";
import { tempDir } from "../helpers/db.ts";

const quiet: Logger = { info: () => {}, warn: () => {} };
const clock = { now: () => new Date("2026-01-05T02:00:00Z") };

interface Truth {
  bids: number;
  rings: { firms: string[] }[];
  bad_rows: { file: string; line: number; kind: string }[];
}

const REASON: Record<string, RegExp> = {
  negative_price: /^price ".*" must be greater than 0$/,
  non_numeric_price: /^price ".*" is not a number$/,
  overflow_price: /^price ".*" is out of range$/,
  empty_tender_id: /^tender_id is empty$/,
  invalid_credit_code: /^firm_id ".*" is not a valid unified social credit code/,
  impossible_date: /^submitted_at ".*" is not a valid date\/time$/,
};

let dir: string;
let cleanup: () => Promise<void>;
let truth: Truth;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await generateExport(
    { tenders: 240, seed: 7, bidsEncoding: "gbk", headers: "zh", badRows: 12 },
    join(dir, "in"),
  );
  truth = JSON.parse(await readFile(join(dir, "in", "_truth.json"), "utf8")) as Truth;
});
afterAll(() => cleanup());

async function run(dbPath: string, out: string) {
  const db = await Db.open(dbPath);
  try {
    return await runPipeline({ inputs: [join(dir, "in")], outDir: out }, { db, clock, logger: quiet });
  } finally {
    db.close();
  }
}

function parseCsv(text: string): string[][] {
  // The files are ours; a minimal RFC 4180 reader for the test (quoted fields, doubled quotes, CRLF).
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let q = false;
  const s = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (q) {
      if (c === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') q = false;
      else cell += c;
    } else if (c === '"') q = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n") {
      row.push(cell.replace(/\r$/, ""));
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  return rows;
}

describe("bidwatch run on a messy export", () => {
  it("loads every valid row, rejects every bad one with its reason, and reconciles", async () => {
    const { summary } = await run(join(dir, "db.duckdb"), join(dir, "out1"));
    const bids = summary.files.find((f) => f.table === "bids");
    expect(bids).toMatchObject({
      encoding: "gb18030",
      format: "csv",
      status: "loaded",
      rejected: truth.bad_rows.length,
    });
    expect(bids?.ignored_columns).toEqual([]);
    for (const f of summary.files) expect(f.read).toBe(f.loaded + f.rejected + f.duplicates);
    expect(summary.tables.bids).toBe(truth.bids);
    expect(summary.totals.rejected).toBe(truth.bad_rows.length);

    const rejects = parseCsv(await readFile(join(dir, "out1", "rejects.csv"), "utf8"));
    expect(rejects[0]).toEqual(["file", "line", "table", "reason", "raw"]);
    const byLine = new Map(rejects.slice(1).map((r) => [Number(r[1]), r]));
    expect(byLine.size).toBe(truth.bad_rows.length);
    for (const bad of truth.bad_rows) {
      const r = byLine.get(bad.line);
      expect(r, `line ${bad.line}`).toBeDefined();
      expect(r?.[0]).toBe("bids.csv");
      expect(r?.[3]).toMatch(REASON[bad.kind] as RegExp);
    }
  });

  it("writes every output of the contract", async () => {
    const out = join(dir, "out1");
    const alerts = JSON.parse(await readFile(join(out, "alerts.json"), "utf8")) as {
      rank: number;
      score: number;
    }[];
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.map((a) => a.rank)).toEqual(alerts.map((_, i) => i + 1));
    for (let i = 1; i < alerts.length; i++)
      expect((alerts[i - 1] as { score: number }).score).toBeGreaterThanOrEqual(
        (alerts[i] as { score: number }).score,
      );
    const risk = parseCsv(await readFile(join(out, "tender_risk.csv"), "utf8"));
    expect(risk[0]?.slice(0, 9)).toEqual([
      "tender_id",
      "n_bids",
      "risk_score",
      "cv",
      "spread",
      "rd",
      "rdnor",
      "kurtosis",
      "skewness",
    ]);
    expect(risk.length - 1).toBe(240);
    const summary = JSON.parse(await readFile(join(out, "run_summary.json"), "utf8"));
    expect(Object.keys(summary.stages)).toEqual(["ingest", "features", "detectors", "alerts", "outputs"]);
    expect(summary.alerts.total).toBe(alerts.length);
    const csv = await readFile(join(out, "alerts.csv"));
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it("loads nothing new on a second run and yields identical alerts", async () => {
    const { summary } = await run(join(dir, "db.duckdb"), join(dir, "out2"));
    for (const f of summary.files) expect(f).toMatchObject({ status: "already_ingested", loaded: 0 });
    const a1 = await readFile(join(dir, "out1", "alerts.json"), "utf8");
    const a2 = await readFile(join(dir, "out2", "alerts.json"), "utf8");
    expect(a2).toBe(a1);
    expect(await readFile(join(dir, "out2", "rejects.csv"), "utf8")).toBe(
      await readFile(join(dir, "out1", "rejects.csv"), "utf8"),
    );
  });

  it("gives the same alerts from a fresh database", async () => {
    await run(join(dir, "db2.duckdb"), join(dir, "out3"));
    expect(await readFile(join(dir, "out3", "alerts.json"), "utf8")).toBe(
      await readFile(join(dir, "out1", "alerts.json"), "utf8"),
    );
  });
});
