import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  addWorkingDays,
  CN_CALENDAR_2025_2026,
  isWorkingDay,
  shanghaiDate,
  shanghaiIso,
  shanghaiTimestamp,
  WEEKENDS_ONLY,
  type WorkCalendar,
  workingDaysBetween,
} from "../../src/alerts/calendar.ts";
import { initAlertStore, upsertAlerts } from "../../src/alerts/store.ts";
import { accept, claim, currentDeadline, overdue, refer } from "../../src/alerts/workflow.ts";
import { Db } from "../../src/db/duckdb.ts";
import type { Alert } from "../../src/types.ts";

/** Monday 2025-03-03, 10:00 in Shanghai. */
const MONDAY = new Date("2025-03-03T02:00:00.000Z");
const days = (n: number) => new Date(MONDAY.getTime() + n * 86_400_000);

describe("working days (pure)", () => {
  it("skips weekends", () => {
    expect(addWorkingDays("2025-03-07", 1)).toBe("2025-03-10"); // Fri + 1 → Mon
    expect(addWorkingDays("2025-03-03", 5)).toBe("2025-03-10");
    expect(addWorkingDays("2025-03-08", 1)).toBe("2025-03-10"); // from a Saturday
    expect(addWorkingDays("2025-03-10", -1)).toBe("2025-03-07");
    expect(addWorkingDays("2025-03-08", 0)).toBe("2025-03-08");
    expect(workingDaysBetween("2025-03-03", "2025-03-11")).toBe(6);
    expect(workingDaysBetween("2025-03-11", "2025-03-03")).toBe(-6);
    expect(workingDaysBetween("2025-03-07", "2025-03-09")).toBe(0);
    expect(isWorkingDay("2025-03-08")).toBe(false);
  });

  it("honours holidays and make-up working days (调休)", () => {
    const cal: WorkCalendar = { holidays: ["2025-03-05"], workdays: ["2025-03-08"] };
    expect(workingDaysBetween("2025-03-03", "2025-03-11", cal)).toBe(6); // −1 holiday, +1 Saturday
    expect(addWorkingDays("2025-03-04", 1, cal)).toBe("2025-03-06");
    expect(addWorkingDays("2025-03-07", 1, cal)).toBe("2025-03-08");
    expect(isWorkingDay("2025-03-08", cal)).toBe(true);
  });

  it("knows the 2025 Spring Festival and National Day arrangements", () => {
    const cn = CN_CALENDAR_2025_2026;
    expect(isWorkingDay("2025-01-26", cn)).toBe(true); // Sunday, make-up day
    expect(isWorkingDay("2025-01-28", cn)).toBe(false);
    expect(addWorkingDays("2025-01-27", 1, cn)).toBe("2025-02-05");
    expect(addWorkingDays("2025-09-30", 1, cn)).toBe("2025-10-09");
    expect(isWorkingDay("2026-02-14", cn)).toBe(true);
    expect(workingDaysBetween("2026-02-13", "2026-02-24", cn)).toBe(2); // Sat 14th (调休) and Tue 24th
  });

  it("round-trips: workingDaysBetween(a, addWorkingDays(a, n)) = n", () => {
    for (const start of ["2025-01-20", "2025-04-30", "2025-09-26", "2026-02-13"]) {
      for (let n = 0; n <= 40; n += 3) {
        expect(
          workingDaysBetween(start, addWorkingDays(start, n, CN_CALENDAR_2025_2026), CN_CALENDAR_2025_2026),
        ).toBe(n);
      }
    }
  });

  it("reads instants as Shanghai dates, whatever the process time zone", () => {
    expect(shanghaiDate(new Date("2025-03-02T16:30:00Z"))).toBe("2025-03-03");
    expect(shanghaiDate(new Date("2025-03-02T15:59:59Z"))).toBe("2025-03-02");
    expect(shanghaiTimestamp(MONDAY)).toBe("2025-03-03 10:00:00");
    expect(shanghaiIso(MONDAY)).toBe("2025-03-03T10:00:00.000+08:00");
    expect(addWorkingDays(new Date("2025-03-07T16:30:00Z"), 1)).toBe("2025-03-10"); // Sat 00:30 local → Mon
  });

  it("rejects impossible dates and contradictory calendars with E_CALENDAR", () => {
    expect(() => addWorkingDays("2025-02-30", 1)).toThrow(expect.objectContaining({ code: "E_CALENDAR" }));
    expect(() => workingDaysBetween("2025/03/01", "2025-03-02")).toThrow(
      expect.objectContaining({ code: "E_CALENDAR" }),
    );
    const bad = { holidays: ["2025-03-08"], workdays: ["2025-03-08"] };
    expect(() => isWorkingDay("2025-03-03", bad)).toThrow(expect.objectContaining({ code: "E_CALENDAR" }));
  });
});

function ringAlert(id: string): Alert {
  return {
    id,
    rank: 1,
    score: 0.8,
    kind: "ring",
    firms: ["F1", "F2", "F3"],
    tenders: ["T1"],
    amount: 1_000_000,
    channels: ["analyst", "inspection"],
    evidence: [{ rule: "SHARED_IP", weight: 0.8, text_zh: "同一IP", text_en: "same IP", facts: {} }],
    summary_zh: "摘要",
    summary_en: "summary",
  };
}

describe("overdue referrals", () => {
  let db: Db;
  let now = MONDAY;
  const clock = { now: () => now };
  const ctx = () => ({ db, clock });

  beforeEach(async () => {
    db = await Db.open(":memory:");
    await initAlertStore(db);
    now = MONDAY;
    await upsertAlerts(db, [ringAlert("A-1"), ringAlert("A-2")], clock);
    await claim(ctx(), "A-1", "analyst.li");
    await refer(ctx(), "A-1", "analyst.li", "inspection", "移送住建局");
  });
  afterEach(() => db.close());

  it("shows a referral unanswered for 6 working days, not one unanswered for 4 or 5", async () => {
    now = days(3); // Thursday: 3 working days
    expect(await overdue(db, clock, { calendar: WEEKENDS_ONLY })).toEqual([]);
    now = days(7); // next Monday: 5 working days, due today
    expect(await overdue(db, clock, { calendar: WEEKENDS_ONLY })).toEqual([]);
    now = days(8); // Tuesday: 6 working days
    const late = await overdue(db, clock, { calendar: WEEKENDS_ONLY });
    expect(late).toEqual([
      {
        alert_id: "A-1",
        stage: "acceptance",
        channel: "inspection",
        assignee: "analyst.li",
        since: MONDAY,
        due: "2025-03-10",
        working_days_elapsed: 6,
        working_days_overdue: 1,
      },
    ]);
  });

  it("4 working days is on time", async () => {
    now = days(4); // Friday
    expect(await overdue(db, clock, { calendar: WEEKENDS_ONLY })).toEqual([]);
  });

  it("a holiday in between shifts the deadline", async () => {
    now = days(8);
    const cal = { holidays: ["2025-03-05"], workdays: [] };
    expect(await overdue(db, clock, { calendar: cal })).toEqual([]);
    now = days(9);
    const [late] = await overdue(db, clock, { calendar: cal });
    expect(late).toMatchObject({ alert_id: "A-1", due: "2025-03-11", working_days_overdue: 1 });
  });

  it("after acceptance the result deadline (10 working days) runs", async () => {
    now = days(1);
    await accept(ctx(), "A-1", "inspection.wang");
    now = days(15); // Tue 2025-03-18: 10 working days after Tue 03-04
    expect(await overdue(db, clock, { calendar: WEEKENDS_ONLY })).toEqual([]);
    now = days(17);
    const [late] = await overdue(db, clock, { calendar: WEEKENDS_ONLY });
    expect(late).toMatchObject({ stage: "result", due: "2025-03-18", working_days_overdue: 2 });
    expect(await overdue(db, clock, { calendar: WEEKENDS_ONLY, resultWorkingDays: 12 })).toEqual([]);
  });

  it("computes the current deadline of an alert and rejects unknown settings", async () => {
    expect(currentDeadline({ status: "referred", referred_at: MONDAY, accepted_at: null })?.due).toBe(
      "2025-03-10",
    );
    expect(currentDeadline({ status: "in_review", referred_at: null, accepted_at: null })).toBeUndefined();
    await expect(overdue(db, clock, { acceptDays: 3 } as never)).rejects.toMatchObject({
      code: "E_WORKFLOW_INPUT",
    });
  });
});
