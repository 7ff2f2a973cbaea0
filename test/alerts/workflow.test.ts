import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditTrail, verifyAudit } from "../../src/alerts/audit.ts";
import { getAlert, initAlertStore, upsertAlerts } from "../../src/alerts/store.ts";
import {
  accept,
  allowedOperations,
  claim,
  close,
  feedback,
  refer,
  TRANSITIONS,
  triage,
  WorkflowError,
} from "../../src/alerts/workflow.ts";
import { Db } from "../../src/db/duckdb.ts";
import { BidwatchError } from "../../src/errors.ts";
import type { Alert } from "../../src/types.ts";

const T0 = new Date("2025-03-03T02:00:00.000Z");

function alert(id: string): Alert {
  return {
    id,
    rank: 1,
    score: 0.7,
    kind: "pair",
    firms: ["F1", "F2"],
    tenders: ["T1"],
    amount: 4_500_000,
    channels: ["analyst", "inspection", "public-security"],
    evidence: [
      {
        rule: "SHARED_MAC",
        weight: 0.7,
        text_zh: "同一网卡",
        text_en: "same MAC",
        facts: { shared_values: ["AA:BB"] },
      },
    ],
    summary_zh: "摘要",
    summary_en: "summary",
  };
}

describe("analyst workflow", () => {
  let db: Db;
  let minute = 0;
  const clock = { now: () => new Date(T0.getTime() + minute * 60_000) };
  const ctx = () => ({ db, clock });
  const tick = () => {
    minute += 1;
  };

  beforeEach(async () => {
    db = await Db.open(":memory:");
    await initAlertStore(db);
    minute = 0;
    await upsertAlerts(db, [alert("A-1"), alert("A-2")], clock);
  });
  afterEach(() => db.close());

  it("walks new → in_review → referred → result_received → closed, auditing every step", async () => {
    tick();
    let r = await claim(ctx(), "A-1", "analyst.li");
    expect(r.alert).toMatchObject({ status: "in_review", assignee: "analyst.li" });
    expect(allowedOperations(r.alert)).toEqual(["triage", "refer", "close"]);
    tick();
    await triage(ctx(), "A-1", "analyst.li", "两家投标文件MAC相同，建议移送");
    tick();
    r = await refer(ctx(), "A-1", "analyst.li", "public-security", "涉案金额超过立案追诉标准");
    expect(r.alert).toMatchObject({
      status: "referred",
      referred_channel: "public-security",
      referred_at: clock.now(),
    });
    expect(allowedOperations(r.alert)).toEqual(["accept"]);
    tick();
    r = await accept(ctx(), "A-1", "psb.zhang");
    expect(r.alert).toMatchObject({ status: "referred", accepted_at: clock.now() });
    expect(allowedOperations(r.alert)).toEqual(["feedback"]);
    tick();
    r = await feedback(ctx(), "A-1", "psb.zhang", "已立案侦查");
    expect(r.alert).toMatchObject({ status: "result_received", result_at: clock.now() });
    tick();
    r = await close(ctx(), "A-1", "analyst.li", "confirmed", "公安已立案");
    expect(r.alert).toMatchObject({ status: "closed", verdict: "confirmed", closed_at: clock.now() });
    expect(allowedOperations(r.alert)).toEqual([]);
    expect(r.audit).toMatchObject({ action: "close", from_state: "result_received", to_state: "closed" });

    const trail = await auditTrail(db, "A-1");
    expect(
      trail.map((e) => [e.action, e.actor, e.from_state, e.to_state, e.channel, e.note, e.at.getTime()]),
    ).toEqual([
      ["create", "bidwatch", null, "new", null, "detected: SHARED_MAC", T0.getTime()],
      ["claim", "analyst.li", "new", "in_review", null, null, T0.getTime() + 60_000],
      [
        "triage",
        "analyst.li",
        "in_review",
        "in_review",
        null,
        "两家投标文件MAC相同，建议移送",
        T0.getTime() + 120_000,
      ],
      [
        "refer",
        "analyst.li",
        "in_review",
        "referred",
        "public-security",
        "涉案金额超过立案追诉标准",
        T0.getTime() + 180_000,
      ],
      ["accept", "psb.zhang", "referred", "referred", "public-security", null, T0.getTime() + 240_000],
      [
        "feedback",
        "psb.zhang",
        "referred",
        "result_received",
        "public-security",
        "已立案侦查",
        T0.getTime() + 300_000,
      ],
      [
        "close",
        "analyst.li",
        "result_received",
        "closed",
        "public-security",
        "confirmed: 公安已立案",
        T0.getTime() + 360_000,
      ],
    ]);
    expect(await verifyAudit(db)).toMatchObject({ ok: true, checked: 8 });
  });

  it("serialises concurrent operations on one database handle", async () => {
    const results = await Promise.allSettled([
      claim(ctx(), "A-1", "analyst.li"),
      claim(ctx(), "A-1", "analyst.wang"),
      claim(ctx(), "A-2", "analyst.wang"),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((await getAlert(db, "A-1"))?.assignee).toBe("analyst.li");
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it("lets an analyst dismiss straight from review", async () => {
    await claim(ctx(), "A-2", "analyst.li");
    const r = await close(ctx(), "A-2", "analyst.li", "dismissed", "误报：同一交易中心终端");
    expect(r.alert).toMatchObject({ status: "closed", verdict: "dismissed", referred_channel: null });
  });

  const code = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
    } catch (err) {
      expect(err).toBeInstanceOf(WorkflowError);
      expect(err).toBeInstanceOf(BidwatchError);
      return (err as WorkflowError).code;
    }
    throw new Error("expected an error");
  };

  it("refuses invalid transitions with E_INVALID_TRANSITION and writes nothing", async () => {
    const before = await auditTrail(db, "A-1");
    expect(await code(refer(ctx(), "A-1", "x", "inspection", "n"))).toBe("E_INVALID_TRANSITION");
    expect(await code(triage(ctx(), "A-1", "x", "n"))).toBe("E_INVALID_TRANSITION");
    expect(await code(close(ctx(), "A-1", "x", "dismissed", "n"))).toBe("E_INVALID_TRANSITION");
    await claim(ctx(), "A-1", "analyst.li");
    expect(await code(claim(ctx(), "A-1", "analyst.wang"))).toBe("E_INVALID_TRANSITION");
    expect(await code(accept(ctx(), "A-1", "x"))).toBe("E_INVALID_TRANSITION");
    await refer(ctx(), "A-1", "analyst.li", "inspection", "移送");
    expect(await code(feedback(ctx(), "A-1", "x", "结果"))).toBe("E_INVALID_TRANSITION"); // not accepted yet
    expect(await code(close(ctx(), "A-1", "x", "confirmed", "n"))).toBe("E_INVALID_TRANSITION");
    await accept(ctx(), "A-1", "inspection.wang");
    expect(await code(accept(ctx(), "A-1", "inspection.wang"))).toBe("E_INVALID_TRANSITION");
    await feedback(ctx(), "A-1", "inspection.wang", "已处罚");
    await close(ctx(), "A-1", "analyst.li", "confirmed", "属实");
    // Issued concurrently, as a web UI might: they run one after the other and all fail cleanly.
    const codes = await Promise.all([
      code(claim(ctx(), "A-1", "x")),
      code(triage(ctx(), "A-1", "x", "n")),
      code(refer(ctx(), "A-1", "x", "discipline", "n")),
      code(close(ctx(), "A-1", "x", "dismissed", "n")),
    ]);
    expect(codes).toEqual(Array(4).fill("E_INVALID_TRANSITION"));
    const after = await auditTrail(db, "A-1");
    expect(before.map((e) => e.action)).toEqual(["create"]);
    expect(after.map((e) => e.action)).toEqual(["create", "claim", "refer", "accept", "feedback", "close"]);
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it("rejects unknown alerts and bad input with stable codes", async () => {
    expect(await code(claim(ctx(), "A-404", "x"))).toBe("E_ALERT_NOT_FOUND");
    expect(await code(claim(ctx(), "A-1", "  "))).toBe("E_WORKFLOW_INPUT");
    await claim(ctx(), "A-1", "analyst.li");
    expect(await code(triage(ctx(), "A-1", "analyst.li", ""))).toBe("E_WORKFLOW_INPUT");
    expect(await code(refer(ctx(), "A-1", "analyst.li", "analyst", "n"))).toBe("E_WORKFLOW_INPUT");
    expect(await code(refer(ctx(), "A-1", "analyst.li", "police" as never, "n"))).toBe("E_WORKFLOW_INPUT");
    expect(await code(close(ctx(), "A-1", "analyst.li", "maybe" as never, "n"))).toBe("E_WORKFLOW_INPUT");
    expect((await getAlert(db, "A-1"))?.status).toBe("in_review");
  });

  it("documents every operation's states", () => {
    expect(Object.keys(TRANSITIONS)).toEqual(["claim", "triage", "refer", "accept", "feedback", "close"]);
  });
});
