/**
 * The bulk output paths write exactly what the simple ones would: alerts.json as one JSON.stringify, the
 * tender risk CSV as csvLine rows, the outbox one row per new (alert, channel) with the alert's JSON, and
 * the report from the run's memory as from the files the run wrote.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { csvLine } from "../../src/alerts/csv.ts";
import { enqueueAlerts, pendingCounts, pendingRows } from "../../src/alerts/outbox.ts";
import { writeAlerts, writeJsonArray, writeTenderRisk } from "../../src/alerts/outputs.ts";
import { tenderRisk } from "../../src/alerts/tender-risk.ts";
import type { Db } from "../../src/db/duckdb.ts";
import { buildReport, type ReportSummary } from "../../src/report/report.ts";
import type { Alert, Evidence, Finding } from "../../src/types.ts";
import { memoryDb, tempDir } from "../helpers/db.ts";

const T0 = new Date("2025-03-03T02:00:00.000Z");
const clock = { now: () => T0 };

function ev(rule: string, facts: Record<string, unknown> = {}, weight = 0.6): Evidence {
  return { rule, weight, text_zh: `${rule} 证据\n第二行`, text_en: `${rule} "evidence"`, facts };
}

function alert(i: number, over: Partial<Alert> = {}): Alert {
  return {
    id: `A-${String(i).padStart(4, "0")}`,
    rank: i + 1,
    score: Math.round((1 - i / 1000) * 1e4) / 1e4,
    kind: i % 3 === 0 ? "ring" : "pair",
    firms: [`F${i}`, `F${i + 1}`, `F${i + 2}`],
    tenders: [`T${i % 7}`, `T${(i + 1) % 7}`],
    amount: 1_000_000 + i * 12.5,
    channels: i % 2 ? ["analyst", "inspection"] : ["analyst", "inspection", "discipline"],
    evidence: [
      ev("RING", {
        edges: [
          { a: `F${i}`, b: `F${i + 1}`, weight: 0.9, rules: ["SHARED_IP"] },
          { a: `F${i + 1}`, b: `F${i + 2}`, weight: -0, rules: [] },
        ],
        tiny: 1e-7,
        big: 1e21,
      }),
      ev("SHARED_IP", { field: "ip", shared_values: ["10.0.0.8"], absent: undefined }),
    ],
    summary_zh: `疑似围标团伙 ${i}`,
    summary_en: `=Suspected ring, ${i}`,
    routing: [{ channel: "analyst", reason_zh: "分析", reason_en: "analyst" }],
    ...over,
  };
}

describe("alerts.json", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => cleanup());

  it.each([0, 1, 255, 256, 257, 600])("is JSON.stringify(alerts, null, 2) for %i alerts", async (n) => {
    const items = Array.from({ length: n }, (_, i) => alert(i));
    const path = join(dir, "a.json");
    await writeJsonArray(path, items);
    expect(await readFile(path, "utf8")).toBe(`${JSON.stringify(items, null, 2)}\n`);
  });
});

describe("tender_risk.csv", () => {
  it("has one csvLine row per tender, screens in column order", async () => {
    const { dir, cleanup } = await tempDir();
    const findings: Finding[] = [
      {
        rule: "PRICE_SCREENS",
        kind: "tender",
        firms: [],
        tenders: ["T2", "T1"],
        weight: 0.7,
        text_zh: "",
        text_en: "",
        facts: {},
      },
      {
        rule: "SHARED_IP",
        kind: "pair",
        firms: ["A", "B"],
        tenders: ["T1"],
        weight: 0.5,
        text_zh: "",
        text_en: "",
        facts: {},
      },
    ];
    const risks = tenderRisk(["T3", "T1", "=T4", "T2"], findings);
    const names = ["cv", "spread"];
    const values = new Map<string, (number | null)[]>([
      ["T1", [0.123456, null]],
      ["T2", [Number.NaN, -0]],
    ]);
    const nBids = new Map([
      ["T1", 4],
      ["T2", 7],
    ]);
    await writeTenderRisk(dir, risks, nBids, { names, values });
    const expected = [
      `\uFEFF${csvLine(["tender_id", "n_bids", "risk_score", ...names, "top_reasons"])}`,
      ...risks.map((r) =>
        csvLine([
          r.tender_id,
          nBids.get(r.tender_id) ?? 0,
          r.risk_score,
          ...(values.get(r.tender_id) ?? [null, null]),
          r.top_reasons.join(";"),
        ]),
      ),
    ].join("");
    expect(await readFile(join(dir, "tender_risk.csv"), "utf8")).toBe(expected);
    await cleanup();
  });
});

describe("outbox", () => {
  let db: Db;
  beforeEach(async () => {
    db = await memoryDb();
  });
  afterEach(() => db.close());

  it("adds each new (alert, channel) once with the alert's JSON, and nothing the second time", async () => {
    const a = alert(1);
    const b = alert(2);
    const again = { ...a, summary_en: "another payload" };
    expect(await enqueueAlerts(db, [a, b, again], clock)).toBe(a.channels.length + b.channels.length);
    const rows = await pendingRows(db);
    expect(rows.map((r) => [r.alert_id, r.channel])).toEqual(
      [...a.channels.map((c) => [a.id, c]), ...b.channels.map((c) => [b.id, c])].sort((x, y) =>
        `${x[0]} ${x[1]}` < `${y[0]} ${y[1]}` ? -1 : 1,
      ),
    );
    for (const r of rows) expect(r.payload).toBe(JSON.stringify(r.alert_id === a.id ? a : b));
    const created = await db.all<{ n: number }>(
      "SELECT count(*)::INTEGER AS n FROM outbox WHERE created_at = $at::TIMESTAMPTZ AND attempts = 0",
      { at: T0.toISOString() },
    );
    expect(created[0]?.n).toBe(rows.length);
    expect(await enqueueAlerts(db, [a, { ...b, channels: [...b.channels, "public-security"] }], clock)).toBe(
      1,
    );
    expect(await pendingCounts(db)).toEqual({ pending: rows.length + 1, delivered: 0 });
  });
});

describe("report from the run's memory", () => {
  it("is the report read back from alerts.json and tender_risk.csv", async () => {
    const db = await memoryDb();
    const { dir, cleanup } = await tempDir();
    try {
      const alerts = Array.from({ length: 30 }, (_, i) => alert(i, i === 5 ? { amount: -0 } : {}));
      const findings: Finding[] = [
        {
          rule: "RING",
          kind: "ring",
          firms: ["F0"],
          tenders: ["T1", "T2"],
          weight: 0.9,
          text_zh: "",
          text_en: "",
          facts: {},
        },
      ];
      const risks = tenderRisk(["T0", "T1", "T2", "T3"], findings);
      const names = [
        "cv",
        "spread",
        "rd",
        "rdnor",
        "kurtosis",
        "skewness",
        "gap_cv",
        "bid_ceiling_ratio",
        "sub3_cv_min",
      ];
      const values = new Map<string, (number | null)[]>([
        ["T1", [0.1, 0.2, 0.3, 0.4, 1e-7, -0, 12.5, 0.95, null]],
        ["T2", [Number.NaN, 1, 2, 3, 4, 5, 6, 7, 8]],
      ]);
      await writeAlerts(dir, alerts);
      await writeTenderRisk(dir, risks, new Map(), { names, values });
      const summary: ReportSummary = {
        started_at: T0.toISOString(),
        finished_at: T0.toISOString(),
        files: [],
        totals: { read: 0, loaded: 0, updated: 0, rejected: 0, duplicates: 0 },
        tables: {},
        alerts: {
          total: alerts.length,
          by_kind: { pair: 20, ring: 10 },
          by_channel: {},
          by_rule: { RING: 1 },
        },
        detection: { modularity: 0, communities: 0, rings: 0, hub_thresholds: {} },
        delivery: { configured: false, delivered: 0, pending: 0 },
        workflow: { overdue: [], audit_head: { seq: 0, hash: "0".repeat(64) } },
        warnings: [],
      };
      const fromFiles = await buildReport(db, summary, dir);
      const fromMemory = await buildReport(
        db,
        summary,
        dir,
        {},
        { alerts, risks, screens: { names, values } },
      );
      expect(fromMemory).toBe(fromFiles);
    } finally {
      db.close();
      await cleanup();
    }
  });
});
