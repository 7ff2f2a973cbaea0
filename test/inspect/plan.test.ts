import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyAudit } from "../../src/alerts/audit.ts";
import { upsertAlerts } from "../../src/alerts/store.ts";
import type { Db } from "../../src/db/duckdb.ts";
import { BidwatchError } from "../../src/errors.ts";
import { buildPlan, commitmentOf, type PlanDocument, verifyPlan } from "../../src/inspect/commitment.ts";
import {
  createPlan,
  type InspectContext,
  initInspect,
  loadRoster,
  parseRosterCsv,
  parseTenderRiskCsv,
  readCandidates,
  readPlan,
  readSecret,
  revealPlan,
  verifyWithDb,
} from "../../src/inspect/store.ts";
import { WEIGHT_DEFAULTS } from "../../src/inspect/weights.ts";
import type { Alert } from "../../src/types.ts";
import { memoryDb } from "../helpers/db.ts";
import { ROSTER, seedTenders } from "./fixtures.ts";

const T0 = new Date("2025-04-07T02:00:00.000Z"); // Monday 10:00 Shanghai

/** Deterministic stand-in for crypto randomness: 0, 1, 2, … byte patterns per call. */
function fakeRandom(): (n: number) => Uint8Array {
  let call = 0;
  return (n) => {
    call++;
    return Uint8Array.from({ length: n }, (_, i) => (call * 31 + i) % 256);
  };
}

function alert(id: string, tenders: string[], score: number): Alert {
  return {
    id,
    rank: 1,
    score,
    kind: "tender",
    firms: ["F1", "F2"],
    tenders,
    amount: 1,
    channels: ["analyst"],
    evidence: [{ rule: "SHARED_IP", weight: score, text_zh: "同一IP", text_en: "same IP", facts: {} }],
    summary_zh: "s",
    summary_en: "s",
  };
}

async function rejects(p: Promise<unknown>): Promise<BidwatchError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BidwatchError) return e;
    throw e;
  }
  throw new Error("expected a BidwatchError");
}

describe("inspection plans in the database", () => {
  let db: Db;
  let ctx: InspectContext;
  const clock = { now: () => T0 };

  beforeEach(async () => {
    db = await memoryDb();
    await initInspect(db);
    await seedTenders(db);
    await upsertAlerts(db, [alert("A-1", ["T01", "T02"], 0.9), alert("A-2", ["T03", "T04"], 0.8)], clock);
    ctx = { db, clock, randomBytes: fakeRandom() };
  });
  afterEach(() => db.close());

  const plan = (over: Partial<Parameters<typeof createPlan>[1]> = {}) =>
    createPlan(ctx, {
      from: "2025-03-01",
      to: "2025-03-31",
      ratio: 0.25,
      roster: { entries: ROSTER, source: "roster.csv" },
      actor: "planner",
      ...over,
    });

  it("reads the period's population with risk, sanctions and watch list", async () => {
    const risk = new Map([
      ["T07", 0.6],
      ["T01", 0.1],
    ]);
    const cs = await readCandidates(db, { from: "2025-03-01", to: "2025-03-31", tenderRisk: risk });
    expect(cs.map((c) => c.tender_id)).toHaveLength(20);
    expect(cs.some((c) => c.tender_id === "T99")).toBe(false);
    const by = new Map(cs.map((c) => [c.tender_id, c]));
    expect(by.get("T01")).toMatchObject({ risk: 0.9, risk_source: "alert" }); // alert wins over tender_risk
    expect(by.get("T03")).toMatchObject({ risk: 0.8, risk_source: "alert" });
    expect(by.get("T07")).toMatchObject({ risk: 0.6, risk_source: "tender_risk" });
    expect(by.get("T08")).toMatchObject({ risk: 0, risk_source: "none" });
    expect(by.get("T05")?.sanctioned).toEqual(["F4"]);
    expect(by.get("T06")?.watched).toEqual(["F5"]);
    expect(by.get("T03")?.bidders).toEqual(["F1", "F3"]);
  });

  it("draws at least the ratio, commits before the draw, and audits both", async () => {
    const { plan: doc, seedGenerated } = await plan();
    expect(seedGenerated).toBe(true);
    expect(doc.items).toHaveLength(5);
    expect(doc.summary.realised_share).toBeGreaterThanOrEqual(0.25);
    expect(doc.plan_id).toBe(`IP-${doc.commitment.slice(0, 12)}`);
    expect(doc.reveal).toBeUndefined();
    expect(JSON.stringify(doc)).not.toContain((await readSecret(db, doc.plan_id)).seed);
    const high = doc.summary.groups.find((g) => g.group === "risk_high");
    expect(high).toMatchObject({ n: 4 });
    expect(high?.factor).toBeCloseTo(1 + 4 * 0.85, 4); // mean of weights 4.6 and 4.2
    const audit = await db.all<{ action: string; alert_id: string | null; note: string }>(
      "SELECT action, alert_id, note FROM audit_log WHERE action LIKE 'inspect%' ORDER BY seq",
    );
    expect(audit.map((a) => a.action)).toEqual(["inspect_roster", "inspect_commit", "inspect_draw"]);
    expect(audit[1]?.note).toContain(`commitment=${doc.commitment}`);
    expect(audit[1]?.alert_id).toBe(doc.plan_id);
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it("a plan recomputed from the published seed is identical", async () => {
    const { plan: doc } = await plan({ seed: "published-seed-2025" });
    const reveal = await revealPlan(ctx, doc.plan_id, "planner");
    expect(reveal.seed).toBe("published-seed-2025");
    // from the database tables
    const stored = await readPlan(db, doc.plan_id);
    expect(stored.doc.items).toEqual(doc.items);
    const report = await verifyWithDb(db, doc.plan_id, reveal.seed);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.check, c.status])).toEqual([
      ["params", "ok"],
      ["candidates", "ok"],
      ["population_committed", "ok"],
      ["roster", "ok"],
      ["commitment", "ok"],
      ["draw", "ok"],
      ["population", "ok"],
      ["inputs", "ok"],
    ]);
    // from plan.json alone (a third party without the database)
    const json = JSON.parse(JSON.stringify(stored.doc)) as PlanDocument;
    expect((await verifyWithDb(undefined, json, reveal.seed)).ok).toBe(true);
    // rebuilding from scratch gives the same plan
    const again = buildPlan({
      seed: reveal.seed,
      nonce: reveal.nonce,
      from: "2025-03-01",
      to: "2025-03-31",
      ratio: 0.25,
      perItem: 2,
      weights: WEIGHT_DEFAULTS,
      candidates: [...json.candidates].reverse(),
      roster: json.roster,
      createdAt: doc.created_at,
      createdBy: doc.created_by,
    });
    expect(again).toEqual(doc);
    // revealing twice returns the same secret and writes one audit row
    expect(await revealPlan(ctx, doc.plan_id, "planner")).toEqual(reveal);
    const n = await db.one<{ n: number }>(
      "SELECT count(*)::INTEGER AS n FROM audit_log WHERE action = 'inspect_reveal'",
    );
    expect(n?.n).toBe(1);
  });

  it("a plan weighted with tender_risk.csv verifies without the file and reports no changed inputs", async () => {
    const tenderRisk = new Map([
      ["T07", 0.6],
      ["T08", 1],
    ]);
    const { plan: doc } = await plan({ seed: "with-risk", tenderRisk });
    expect(doc.candidates.find((c) => c.tender_id === "T08")).toMatchObject({
      risk: 1,
      risk_source: "tender_risk",
    });
    const report = await verifyWithDb(db, doc.plan_id, "with-risk");
    expect(report.checks.map((c) => c.status)).toEqual(Array(8).fill("ok"));
  });

  it("a tampered seed fails verification", async () => {
    const { plan: doc } = await plan({ seed: "published-seed-2025" });
    await revealPlan(ctx, doc.plan_id, "planner");
    const report = await verifyWithDb(db, doc.plan_id, "published-seed-2026");
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.check === "commitment")?.status).toBe("fail");
    // a tampered nonce too
    const secret = await readSecret(db, doc.plan_id);
    expect(verifyPlan(doc, { seed: secret.seed, nonce: `${secret.nonce}0` }).ok).toBe(false);
    // and a seed that matches a forged commitment cannot reproduce the items
    const forged = { ...doc, commitment: commitmentOf("forged", secret.nonce, doc.params_hash) };
    const r2 = verifyPlan(
      { ...forged, plan_id: `IP-${forged.commitment.slice(0, 12)}` },
      { seed: "forged", nonce: secret.nonce },
    );
    expect(r2.checks.find((c) => c.check === "commitment")?.status).toBe("ok");
    expect(r2.checks.find((c) => c.check === "draw")?.status).toBe("fail");
  });

  it("a changed candidate population fails verification", async () => {
    const { plan: doc } = await plan({ seed: "s" });
    const { nonce } = await readSecret(db, doc.plan_id);
    await db.exec(
      "INSERT INTO tenders (tender_id, tenderee_id, agency_id, published_at) VALUES ('T21', 'OWNER', 'AGENCY', TIMESTAMPTZ '2025-03-30 10:00:00+08')",
    );
    const report = await verifyWithDb(db, doc.plan_id, "s", nonce);
    expect(report.ok).toBe(false);
    const pop = report.checks.find((c) => c.check === "population");
    expect(pop?.status).toBe("fail");
    expect(pop?.detail).toContain("1 added (T21)");
  });

  it("a changed bidder list or a tender moved out of the period fails too", async () => {
    const { plan: doc } = await plan({ seed: "s" });
    const population = async () =>
      (await verifyWithDb(db, doc.plan_id, "s")).checks.find((c) => c.check === "population")?.status;
    expect(await population()).toBe("ok");
    await db.exec("DELETE FROM bids WHERE bid_id = 'T10-2'");
    expect(await population()).toBe("fail");
    await db.exec("INSERT INTO bids (bid_id, tender_id, firm_id, price) VALUES ('T10-2', 'T10', 'F2', 100)");
    expect(await population()).toBe("ok");
    await db.exec(
      "UPDATE tenders SET published_at = TIMESTAMPTZ '2025-04-01 00:30:00+08' WHERE tender_id = 'T02'",
    );
    expect(await population()).toBe("fail");
  });

  it("edits to the stored plan are detected; re-scored alerts are only a warning", async () => {
    const { plan: doc } = await plan({ seed: "s" });
    await upsertAlerts(db, [alert("A-1", ["T01", "T02"], 0.3)], clock);
    const rescored = await verifyWithDb(db, doc.plan_id, "s");
    expect(rescored.ok).toBe(true);
    expect(rescored.checks.find((c) => c.check === "inputs")).toMatchObject({ status: "warn" });
    await db.exec("UPDATE inspect_plan_candidates SET risk = 0 WHERE plan_id = $p AND tender_id = 'T01'", {
      p: doc.plan_id,
    });
    const tampered = await verifyWithDb(db, doc.plan_id, "s");
    expect(tampered.checks.find((c) => c.check === "candidates")?.status).toBe("fail");
    await db.exec("UPDATE inspect_plan_candidates SET risk = 0.9 WHERE plan_id = $p AND tender_id = 'T01'", {
      p: doc.plan_id,
    });
    await db.exec(
      "UPDATE inspect_plan_items SET inspectors = list_reverse(inspectors) WHERE plan_id = $p AND item_no = 1",
      { p: doc.plan_id },
    );
    const swapped = await verifyWithDb(db, doc.plan_id, "s");
    expect(swapped.checks.find((c) => c.check === "candidates")?.status).toBe("ok");
    expect(swapped.checks.find((c) => c.check === "draw")).toMatchObject({ status: "fail" });
    expect(swapped.checks.find((c) => c.check === "draw")?.detail).toMatch(/^recomputed item 1 is /);
  });

  it("uses the roster loaded last when none is given, and fails without one", async () => {
    expect((await rejects(plan({ roster: undefined }))).code).toBe("E_INSPECT_INPUT");
    await loadRoster(ctx, ROSTER, { actor: "hr", source: "roster.csv" });
    const { plan: doc } = await plan({ roster: undefined });
    expect(doc.roster).toHaveLength(ROSTER.length);
    expect((await rejects(plan({ from: "2026-01-01", to: "2026-01-31" }))).code).toBe("E_INSPECT_EMPTY");
    expect((await rejects(plan({ from: "2025-02-30" }))).code).toBe("E_INSPECT_INPUT");
    expect((await rejects(plan({ ratio: 0 }))).code).toBe("E_INSPECT_INPUT");
    expect((await rejects(plan({ bogus: 1 } as never))).message).toContain('unknown plan option "bogus"');
  });

  it("fails clearly when a drawn tender has no valid team, and stores nothing", async () => {
    const roster = ROSTER.filter((p) => p.department === "住建局" || p.name === "赵四");
    const e = await rejects(plan({ roster: { entries: roster, source: "small.csv" }, ratio: 1 }));
    expect(e.code).toBe("E_INSPECT_NO_MATCH");
    const n = await db.one<{ n: number }>("SELECT count(*)::INTEGER AS n FROM inspect_plans");
    expect(n?.n).toBe(0);
  });
});

describe("input files", () => {
  it("parses a roster CSV with Chinese headers, ignoring unused columns", () => {
    const text =
      '\uFEFF姓名,部门,执法证号,回避对象,电话\r\n王一,住建局,ZJ-001,"F1;OWNER",13812345678\r\n张三,财政局,CZ-001,,\r\n';
    const r = parseRosterCsv(text, "r.csv");
    expect(r.roster).toEqual([
      { name: "张三", department: "财政局", certification: "CZ-001", conflicts: [] },
      { name: "王一", department: "住建局", certification: "ZJ-001", conflicts: ["F1", "OWNER"] },
    ]);
    expect(r.ignored).toEqual(["电话"]);
    expect(() => parseRosterCsv("name,department\nx,y\n")).toThrow(/no column "certification"/);
    expect(() => parseRosterCsv("name,department,certification\nx,y,\n", "r.csv")).toThrow(
      /r.csv line 2: certification is empty/,
    );
    expect(() => parseRosterCsv("name,department,certification\nx,y,1\nx,z,2\n")).toThrow(/listed twice/);
  });

  it("parses tender_risk.csv", () => {
    const m = parseTenderRiskCsv("\uFEFFtender_id,n_bids,risk_score,top_reasons\r\nT1,3,0.42,SHARED_IP\r\n");
    expect(m.get("T1")).toBe(0.42);
    expect(() => parseTenderRiskCsv("tender_id,risk_score\nT1,abc\n")).toThrow(/line 2/);
  });
});
