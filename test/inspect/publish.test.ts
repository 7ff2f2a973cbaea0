import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyAudit } from "../../src/alerts/audit.ts";
import { WEEKENDS_ONLY } from "../../src/alerts/calendar.ts";
import { findSensitive } from "../../src/alerts/mask.ts";
import type { Db } from "../../src/db/duckdb.ts";
import type { BidwatchError } from "../../src/errors.ts";
import type { PlanDocument } from "../../src/inspect/commitment.ts";
import { planStatus, publicationDue, publishPlan, renderNotice } from "../../src/inspect/publish.ts";
import {
  createPlan,
  type InspectContext,
  initInspect,
  readResults,
  recordResult,
  revealPlan,
} from "../../src/inspect/store.ts";
import { memoryDb, tempDir } from "../helpers/db.ts";
import { ROSTER, seedTenders } from "./fixtures.ts";

const ID_NO = "330102198001011234";
const MOBILE = "13812345678";
const ACCOUNT = "6222021202041234567";
const LANDLINE = "0571-87654321";
const SENSITIVE_FINDING = `项目负责人身份证${ID_NO}，电话${MOBILE}，保证金账户${ACCOUNT}，座机${LANDLINE}，存在挂靠`;

describe("publication deadlines (20 working days after completion)", () => {
  const items = [
    { item_no: 1, tender_id: "T1", inspectors: ["a", "b"] },
    { item_no: 2, tender_id: "T2", inspectors: ["a", "b"] },
    { item_no: 3, tender_id: "T3", inspectors: ["a", "b"] },
  ];
  const results = [
    { item_no: 1, inspected_on: "2025-09-20" },
    { item_no: 1, inspected_on: "2025-09-26" }, // the latest result completes the item
    { item_no: 3, inspected_on: "2025-09-26" },
  ];

  it("counts working days with the holiday calendar (National Day, make-up Saturdays)", () => {
    // From Friday 26 Sep 2025: 28 Sep (make-up Sunday), 29, 30 Sep, holidays 1–8 Oct, 9, 10, 11 (make-up
    // Saturday), 13–17, 20–24, 27–30 Oct → the 20th working day is Thursday 30 Oct.
    const p = publicationDue(items, results, new Map([[3, new Date("2025-10-01T00:00:00Z")]]), "2025-10-30");
    expect(p.map((x) => [x.item_no, x.status, x.completed_on, x.due, x.working_days_left])).toEqual([
      [1, "due", "2025-09-26", "2025-10-30", 0],
      [2, "pending", null, null, null],
      [3, "published", "2025-09-26", "2025-10-30", null],
    ]);
    expect(publicationDue(items, results, new Map(), "2025-10-31")[0]).toMatchObject({
      status: "overdue",
      working_days_left: -1,
    });
    expect(publicationDue(items, results, new Map(), "2025-09-29")[0]?.working_days_left).toBe(18);
    // weekends only: 20 working days after Friday 26 Sep is Friday 24 Oct
    expect(
      publicationDue(items, results, new Map(), "2025-10-01", { workingDays: 20, calendar: WEEKENDS_ONLY })[0]
        ?.due,
    ).toBe("2025-10-24");
  });
});

describe("results and the public notice", () => {
  let db: Db;
  let ctx: InspectContext;
  let now = new Date("2025-04-01T02:00:00.000Z");
  const clock = { now: () => now };
  let doc: PlanDocument;

  beforeEach(async () => {
    now = new Date("2025-04-01T02:00:00.000Z"); // the plan is drawn on Tuesday 1 April
    db = await memoryDb();
    await initInspect(db);
    await seedTenders(db);
    let k = 0;
    ctx = { db, clock, randomBytes: (n) => Uint8Array.from({ length: n }, () => k++ % 256) };
    doc = (
      await createPlan(ctx, {
        from: "2025-03-01",
        to: "2025-03-31",
        ratio: 0.2,
        roster: { entries: ROSTER, source: "roster.csv" },
        seed: MOBILE, // a seed that looks like a phone number is public data, not masked
        actor: "planner",
      })
    ).plan;
    now = new Date("2025-04-07T02:00:00.000Z"); // results are recorded on Monday 7 April
  });
  afterEach(() => db.close());

  const record = (item: string, inspector: string, date: string, finding = "未发现问题") =>
    recordResult(ctx, { planId: doc.plan_id, item, inspector, finding, date, actor: "clerk" });

  it("records results by item number or tender id, only by the item's team", async () => {
    const item = doc.items[0];
    if (!item) throw new Error("no items");
    const [a, b] = item.inspectors as [string, string];
    await record("1", a, "2025-04-03");
    const r = await record(item.tender_id, b, "2025-04-07", "资料不全");
    expect(r).toMatchObject({ item_no: 1, result_no: 2, inspector: b });
    const outsider = ROSTER.find((p) => !item.inspectors.includes(p.name))?.name as string;
    const bad = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        return (e as BidwatchError).code + (e as Error).message;
      }
      return "no error";
    };
    expect(await bad(record("1", outsider, "2025-04-07"))).toMatch(
      /^E_INSPECT_INPUT.*is not on the team of item 1/,
    );
    expect(await bad(record("1", a, "2025-04-08"))).toMatch(/in the future/);
    expect(await bad(record("1", a, "2025-04-06x"))).toMatch(/not a date/);
    expect(await bad(record("1", a, "2025-03-31"))).toMatch(/before the plan/);
    expect(await bad(record("1", a, "2025-04-06", " "))).toMatch(/finding is required/);
    expect(await bad(record("99", a, "2025-04-06"))).toMatch(/^E_INSPECT_NOT_FOUND/);
    expect(await readResults(db, doc.plan_id)).toHaveLength(2);
    const status = await planStatus(db, doc.plan_id, clock);
    expect(status.items[0]).toMatchObject({ status: "due", completed_on: "2025-04-07", due: "2025-05-07" }); // Sunday 27 April is a make-up working day; 1–5 May are off
    expect(status.items.slice(1).every((i) => i.status === "pending")).toBe(true);
  });

  it("the public notice contains no unmasked ID numbers, accounts or phones", async () => {
    await revealPlan(ctx, doc.plan_id, "planner");
    const items = doc.items.slice(0, 2);
    for (const i of items)
      await record(String(i.item_no), i.inspectors[0] as string, "2025-04-03", SENSITIVE_FINDING);
    const { dir, cleanup } = await tempDir();
    try {
      for (const name of ["notice.md", "notice.csv"]) {
        const r = await publishPlan(ctx, doc.plan_id, join(dir, name), { actor: "clerk" });
        expect(r.items).toEqual(items.map((i) => i.item_no));
        const text = await readFile(join(dir, name), "utf8");
        for (const raw of [ID_NO, ACCOUNT, LANDLINE]) expect(text).not.toContain(raw);
        // the phone number only appears as the revealed seed (once in Markdown, once per row in CSV)
        expect(text.split(MOBILE).length - 1).toBe(name.endsWith(".md") ? 1 : items.length);
        expect(text).toContain("3301**********1234");
        expect(text).toContain("138****5678");
        expect(text).toContain("6222***********4567");
        expect(text).toContain("0571-****4321");
        expect(
          findSensitive(text, { keep: new Set([...doc.items.map((i) => i.tender_id), MOBILE]) }),
        ).toEqual([]);
        expect(text).toContain(doc.commitment);
        expect(text).toContain(items[0]?.tender_id as string);
        // pending items are not published
        for (const i of doc.items.slice(2)) expect(text).not.toContain(`| ${i.tender_id} |`);
      }
      const md = await readFile(join(dir, "notice.md"), "utf8");
      expect(md).toContain(`随机种子 Seed: \`${MOBILE}\``);
      expect(md).toMatch(/高风险项目（风险分 1）被抽中的概率为一般项目的 5 倍/);
      const status = await planStatus(db, doc.plan_id, clock);
      expect(status.items.filter((i) => i.status === "published").map((i) => i.item_no)).toEqual([1, 2]);
      const actions = await db.all<{ action: string }>(
        "SELECT action FROM audit_log WHERE action LIKE 'inspect%' ORDER BY seq",
      );
      expect(actions.map((a) => a.action)).toEqual([
        "inspect_roster",
        "inspect_commit",
        "inspect_draw",
        "inspect_reveal",
        "inspect_record",
        "inspect_record",
        "inspect_publish",
        "inspect_publish",
      ]);
      expect((await verifyAudit(db)).ok).toBe(true);
    } finally {
      await cleanup();
    }
  });

  it("masks free text and refuses a notice that would still show personal data", () => {
    const item = doc.items[0];
    if (!item) throw new Error("no items");
    const status = publicationDue(
      doc.items,
      [{ item_no: 1, inspected_on: "2025-04-03" }],
      new Map(),
      "2025-04-07",
    );
    const results = [
      {
        item_no: 1,
        result_no: 1,
        inspector: item.inspectors[0] as string,
        finding: `账户 ${ACCOUNT}`,
        inspected_on: "2025-04-03",
        recorded_at: now,
        recorded_by: "x",
      },
    ];
    const titles = new Map([[item.tender_id, `联系人 ${MOBILE} 身份证 ${ID_NO}`]]);
    const text = renderNotice(doc, status, results, titles, "csv").text;
    expect(text).toContain("联系人 138****5678 身份证 3301**********1234");
    expect(text).toContain("账户 6222***********4567");
    // A value that is not masked (here a header field) and looks like personal data stops the notice.
    const bad = { ...doc, created_by: "x", created_at: `2025-04-01 ${ID_NO}` };
    expect(() => renderNotice(bad, status, results, titles, "md")).toThrow(
      expect.objectContaining({ code: "E_INSPECT_MASK" }),
    );
  });
});
