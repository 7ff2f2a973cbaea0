import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditTrail, verifyAudit } from "../../src/alerts/audit.ts";
import {
  alertBoost,
  applyBoost,
  evidenceAtoms,
  evidenceFingerprint,
  getAlert,
  initAlertStore,
  jaccard,
  listAlerts,
  type MatchCandidate,
  matchPredecessors,
  personIdsInEvidence,
  readWatchlist,
  upsertAlerts,
  watchlistBoost,
} from "../../src/alerts/store.ts";
import { claim, close } from "../../src/alerts/workflow.ts";
import { Db } from "../../src/db/duckdb.ts";
import { initDb } from "../../src/db/init.ts";
import type { Alert, AlertKind, Evidence } from "../../src/types.ts";

const T0 = new Date("2025-03-03T02:00:00.000Z");

function ev(rule: string, facts: Record<string, unknown> = {}, weight = 0.6): Evidence {
  return { rule, weight, text_zh: `${rule} 证据`, text_en: `${rule} evidence`, facts };
}

function alert(id: string, firms: string[], over: Partial<Alert> = {}): Alert {
  return {
    id,
    rank: 1,
    score: 0.6,
    kind: "ring",
    firms,
    tenders: ["T1"],
    amount: 1_000_000,
    channels: ["analyst", "inspection"],
    evidence: [ev("SHARED_IP", { field: "ip", shared_values: ["10.0.0.8"], n_tenders: 1 })],
    summary_zh: "疑似围标团伙",
    summary_en: "Suspected ring",
    ...over,
  };
}

const c = (id: string, firms: string[], kind: AlertKind = "ring"): MatchCandidate => ({ id, kind, firms });

describe("matchPredecessors (pure)", () => {
  it("a ring re-detected with one member more keeps its id", () => {
    const m = matchPredecessors([c("OLD", ["A", "B", "C"])], [c("NEW", ["A", "B", "C", "D"])]);
    expect([...m.values()]).toEqual([{ incomingId: "NEW", id: "OLD", jaccard: 0.75 }]);
  });

  it("a ring that loses a member, or a pair grown into a ring, continues too; weak overlap does not", () => {
    expect(
      matchPredecessors([c("OLD", ["A", "B", "C"])], [c("NEW", ["A", "B"], "pair")]).get("NEW")?.id,
    ).toBe("OLD");
    expect(matchPredecessors([c("P", ["A", "B"], "pair")], [c("R", ["A", "B", "C"])]).get("R")?.id).toBe("P");
    expect(matchPredecessors([c("OLD", ["A", "B", "C"])], [c("NEW", ["A", "D", "E"])]).size).toBe(0); // 0.2
    expect(matchPredecessors([c("OLD", ["A", "B", "C", "D"])], [c("NEW", ["A", "B"], "pair")]).size).toBe(1); // 0.5
    expect(
      matchPredecessors([c("OLD", ["A", "B", "C", "D"])], [c("NEW", ["A", "B"], "pair")], { minJaccard: 0.6 })
        .size,
    ).toBe(0);
  });

  it("leaves exact re-detections and other kinds alone", () => {
    expect(
      matchPredecessors([c("X", ["A", "B", "C"])], [c("X", ["A", "B", "C"]), c("Y", ["A", "B", "C"])]).size,
    ).toBe(0);
    expect(matchPredecessors([c("OLD", ["A", "B"], "tender")], [c("NEW", ["A", "B", "C"])]).size).toBe(0);
    expect(
      matchPredecessors([c("OLD", ["A", "B", "C"])], [c("NEW", ["A", "B", "C", "D"], "firm")]).size,
    ).toBe(0);
  });

  it("pairs one-to-one by best overlap, whatever the input order", () => {
    const existing = [c("E1", ["A", "B", "C"]), c("E2", ["A", "B", "C", "D", "E"])];
    const incoming = [c("N1", ["A", "B", "C", "D"]), c("N2", ["A", "B", "C", "D", "E", "F"])];
    const expected = [
      ["N1", "E1", 0.75],
      ["N2", "E2", 0.8333],
    ];
    const flat = (m: ReturnType<typeof matchPredecessors>) =>
      [...m.values()].map((x) => [x.incomingId, x.id, x.jaccard]);
    expect(flat(matchPredecessors(existing, incoming))).toEqual(expected);
    expect(flat(matchPredecessors([...existing].reverse(), [...incoming].reverse()))).toEqual(expected);
  });

  it("breaks exact ties by existing id, then incoming id", () => {
    const m = matchPredecessors(
      [c("E2", ["A", "B", "X"]), c("E1", ["A", "B", "Y"])],
      [c("N", ["A", "B"], "pair")],
    );
    expect(m.get("N")?.id).toBe("E1");
    expect(jaccard(["A", "B"], ["B", "C"])).toBeCloseTo(1 / 3, 10);
    expect(jaccard([], [])).toBe(0);
  });
});

describe("evidence fingerprint (pure)", () => {
  it("covers rules, firms, tenders and text facts, not weights, counts or thresholds", () => {
    const a = alert("A", ["F1", "F2"], {
      evidence: [ev("SHARED_IP", { shared_values: ["1.2.3.4"], n: 3, thresholds: { hub: "8" } }, 0.5)],
    });
    expect(evidenceAtoms(a)).toEqual([
      "fact:SHARED_IP:shared_values=1.2.3.4",
      "firm:F1",
      "firm:F2",
      "rule:SHARED_IP",
      "tender:T1",
    ]);
    const stronger = { ...a, evidence: [ev("SHARED_IP", { shared_values: ["1.2.3.4"], n: 9 }, 0.9)] };
    expect(evidenceFingerprint(evidenceAtoms(stronger))).toBe(evidenceFingerprint(evidenceAtoms(a)));
    const other = { ...a, evidence: [ev("SHARED_IP", { shared_values: ["1.2.3.5"] })] };
    expect(evidenceFingerprint(evidenceAtoms(other))).not.toBe(evidenceFingerprint(evidenceAtoms(a)));
  });

  it("finds person ids in evidence facts", () => {
    expect(
      personIdsInEvidence([
        ev("SHARED_PM", { field: "project_manager_id", shared_values: ["P2", "P1"] }),
        ev("SHARED_PERSON", { person_id: "P3", people: [{ person_id: "P4", role: "legal_rep" }] }),
        ev("SHARED_IP", { field: "ip", shared_values: ["1.2.3.4"] }),
      ]),
    ).toEqual(["P1", "P2", "P3", "P4"]);
  });
});

describe("alert store", () => {
  let db: Db;
  let now = T0;
  const clock = { now: () => now };
  const ctx = () => ({ db, clock });
  const later = (days: number) => {
    now = new Date(T0.getTime() + days * 86_400_000);
  };

  beforeEach(async () => {
    db = await Db.open(":memory:");
    await initAlertStore(db);
    await initAlertStore(db); // idempotent
    now = T0;
  });
  afterEach(() => db.close());

  it("inserts new alerts as new and refreshes known ones, keeping their workflow state", async () => {
    const first = await upsertAlerts(
      db,
      [alert("A-1", ["F1", "F2", "F3"]), alert("A-2", ["F7", "F8"], { kind: "pair" })],
      clock,
    );
    expect(first.inserted).toEqual(["A-1", "A-2"]);
    await claim(ctx(), "A-1", "analyst.li");
    later(1);
    const again = await upsertAlerts(db, [alert("A-1", ["F1", "F2", "F3"], { score: 0.9, rank: 1 })], clock);
    expect(again).toMatchObject({ inserted: [], updated: ["A-1"], renamed: [] });
    const a = await getAlert(db, "A-1");
    expect(a).toMatchObject({
      status: "in_review",
      assignee: "analyst.li",
      score: 0.9,
      first_seen: T0,
      last_seen: now,
    });
    expect(a?.evidence).toEqual(alert("A-1", []).evidence);
    expect((await getAlert(db, "A-2"))?.last_seen).toEqual(T0);
    expect((await listAlerts(db)).map((x) => x.id)).toEqual(["A-1", "A-2"]);
    expect((await listAlerts(db, { status: "new" })).map((x) => x.id)).toEqual(["A-2"]);
    const trail = await auditTrail(db, "A-1");
    expect(trail.map((e) => [e.action, e.actor, e.from_state, e.to_state])).toEqual([
      ["create", "bidwatch", null, "new"],
      ["claim", "analyst.li", "new", "in_review"],
    ]);
  });

  it("a ring re-detected with one member more keeps its alert id", async () => {
    await upsertAlerts(db, [alert("A-old", ["F1", "F2", "F3"])], clock);
    await claim(ctx(), "A-old", "analyst.li");
    later(1);
    const res = await upsertAlerts(db, [alert("A-new", ["F1", "F2", "F3", "F4"], { score: 0.8 })], clock);
    expect(res.alerts.map((a) => a.id)).toEqual(["A-old"]);
    expect(res.renamed).toEqual([{ incomingId: "A-new", id: "A-old", jaccard: 0.75 }]);
    expect(res.inserted).toEqual([]);
    const all = await listAlerts(db);
    expect(all.map((a) => [a.id, a.firms, a.status])).toEqual([
      ["A-old", ["F1", "F2", "F3", "F4"], "in_review"],
    ]);
    const last = (await auditTrail(db, "A-old")).at(-1);
    expect(last).toMatchObject({ action: "members_changed", note: expect.stringContaining("+[F4]") });
    // The next night finds the grown ring under its new subject id again: still the same alert.
    later(2);
    const third = await upsertAlerts(db, [alert("A-new", ["F1", "F2", "F3", "F4"])], clock);
    expect(third.alerts.map((a) => a.id)).toEqual(["A-old"]);
    expect(await listAlerts(db)).toHaveLength(1);
  });

  it("does not continue a ring closed as confirmed: the new finding is a new case", async () => {
    await upsertAlerts(db, [alert("A-old", ["F1", "F2", "F3"])], clock);
    await claim(ctx(), "A-old", "a");
    await close(ctx(), "A-old", "a", "confirmed", "属实");
    const res = await upsertAlerts(db, [alert("A-new", ["F1", "F2", "F3", "F4"])], clock);
    expect(res.inserted).toEqual(["A-new"]);
  });

  it("keeps a dismissed alert dismissed on the same evidence and reopens it on new evidence", async () => {
    await upsertAlerts(db, [alert("A-1", ["F1", "F2"], { kind: "pair" })], clock);
    await claim(ctx(), "A-1", "analyst.li");
    await close(ctx(), "A-1", "analyst.li", "dismissed", "同一代理机构办公地点，正常");
    later(1);
    // Same facts, stronger weight: not raised again.
    const same = await upsertAlerts(
      db,
      [
        alert("A-1", ["F1", "F2"], {
          kind: "pair",
          score: 0.9,
          evidence: [ev("SHARED_IP", { field: "ip", shared_values: ["10.0.0.8"], n_tenders: 4 }, 0.9)],
        }),
      ],
      clock,
    );
    expect(same.suppressed).toEqual(["A-1"]);
    expect(await getAlert(db, "A-1")).toMatchObject({
      status: "closed",
      verdict: "dismissed",
      suppressed: true,
    });
    expect(await listAlerts(db, { open: true })).toEqual([]);
    expect(await listAlerts(db)).toEqual([]);
    expect(await listAlerts(db, { includeSuppressed: true })).toHaveLength(1);
    // Seen again the next night: no second suppress entry.
    await upsertAlerts(db, [alert("A-1", ["F1", "F2"], { kind: "pair" })], clock);
    expect((await auditTrail(db, "A-1")).filter((e) => e.action === "suppress")).toHaveLength(1);
    // New evidence: a second shared value in another tender.
    later(2);
    const fresh = await upsertAlerts(
      db,
      [
        alert("A-1", ["F1", "F2"], {
          kind: "pair",
          tenders: ["T1", "T9"],
          evidence: [ev("SHARED_IP", { field: "ip", shared_values: ["10.0.0.8", "10.0.0.9"] })],
        }),
      ],
      clock,
    );
    expect(fresh.reopened).toEqual(["A-1"]);
    expect(await getAlert(db, "A-1")).toMatchObject({
      status: "new",
      verdict: null,
      suppressed: false,
      assignee: null,
      closed_at: null,
    });
    expect((await listAlerts(db, { open: true })).map((a) => a.id)).toEqual(["A-1"]);
    const last = (await auditTrail(db, "A-1")).at(-1);
    expect(last).toMatchObject({
      action: "reopen",
      actor: "bidwatch",
      from_state: "closed",
      to_state: "new",
      at: now,
    });
    expect(last?.note).toMatch(/^reopened: new evidence/);
    expect(last?.note).toContain("tender:T9");
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it("a dismissed ring that comes back with a new member is the same case, reopened", async () => {
    await upsertAlerts(db, [alert("A-old", ["F1", "F2", "F3"])], clock);
    await claim(ctx(), "A-old", "a");
    await close(ctx(), "A-old", "a", "dismissed", "误报");
    later(1);
    const res = await upsertAlerts(db, [alert("A-new", ["F1", "F2", "F3", "F4"])], clock);
    expect(res).toMatchObject({ inserted: [], reopened: ["A-old"] });
    expect((await auditTrail(db, "A-old")).slice(-2).map((e) => e.action)).toEqual([
      "members_changed",
      "reopen",
    ]);
    expect((await auditTrail(db, "A-old")).at(-1)?.note).toContain("firm:F4");
  });

  it("puts the firms and people of a confirmed alert on the watch list and boosts them", async () => {
    await initDb(db); // firm_people
    await db.exec("INSERT INTO firm_people VALUES ('F9', 'P1', 'legal_rep', NULL, NULL)");
    await upsertAlerts(
      db,
      [
        alert("A-1", ["F1", "F2"], {
          kind: "pair",
          evidence: [ev("SHARED_PROJECT_MANAGER", { field: "project_manager_id", shared_values: ["P1"] })],
        }),
        alert("A-2", ["F1", "F3"], { kind: "pair" }),
      ],
      clock,
    );
    for (const id of ["A-1", "A-2"]) {
      await claim(ctx(), id, "analyst.li");
      await close(ctx(), id, "analyst.li", "confirmed", "经核查属实");
    }
    const list = await readWatchlist(db);
    expect(list.map((w) => [w.subject_type, w.subject_id, w.alert_id])).toEqual([
      ["firm", "F1", "A-1"],
      ["firm", "F1", "A-2"],
      ["firm", "F2", "A-1"],
      ["firm", "F3", "A-2"],
      ["person", "P1", "A-1"],
    ]);
    expect(list[0]).toMatchObject({
      reason: "confirmed pair alert A-1: 经核查属实",
      added_by: "analyst.li",
      added_at: T0,
    });
    const boost = await watchlistBoost(db);
    expect(Object.fromEntries(boost)).toEqual({ F1: 1.5, F2: 1.25, F3: 1.25, F9: 1.15 });
    expect(Object.fromEntries(await watchlistBoost(db, { perAlert: 0.1, max: 2 }))).toMatchObject({
      F1: 1.2,
    });
    expect(alertBoost(["F9", "F2", "X"], boost)).toBe(1.25);
    expect(alertBoost(["X"], boost)).toBe(1);
    expect(applyBoost(0.5, 1.25)).toBe(0.5796);
    expect(applyBoost(0.5, 1)).toBe(0.5);
    expect(applyBoost(1, 1.5)).toBe(1);
  });

  it("re-ranks renamed alerts with the usual tie-breakers and rejects bad input", async () => {
    await upsertAlerts(db, [alert("A-9", ["F1", "F2", "F3"])], clock);
    const res = await upsertAlerts(
      db,
      [
        alert("A-0", ["X1", "X2"], { kind: "pair", rank: 1 }),
        alert("A-5", ["F1", "F2", "F3", "F4"], { rank: 2 }),
      ],
      clock,
    );
    expect(res.alerts.map((a) => [a.id, a.rank])).toEqual([
      ["A-0", 1],
      ["A-9", 2],
    ]);
    await expect(upsertAlerts(db, [alert("D", ["F1"]), alert("D", ["F2"])], clock)).rejects.toMatchObject({
      code: "E_STORE_INPUT",
    });
    await expect(upsertAlerts(db, [], clock, { jaccard: 0.5 } as never)).rejects.toMatchObject({
      code: "E_STORE_INPUT",
    });
    await expect(listAlerts(db, { status: "open" as never })).rejects.toMatchObject({
      code: "E_STORE_INPUT",
    });
  });
});
