import { readFile } from "node:fs/promises";
import { join } from "node:path";
import iconv from "iconv-lite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exportAlerts } from "../../src/alerts/export.ts";
import { findSensitive, maskDeep, maskText } from "../../src/alerts/mask.ts";
import { initAlertStore, upsertAlerts } from "../../src/alerts/store.ts";
import { claim, close, refer } from "../../src/alerts/workflow.ts";
import { Db } from "../../src/db/duckdb.ts";
import type { Alert } from "../../src/types.ts";
import { tempDir } from "../helpers/db.ts";

const T0 = new Date("2025-03-03T02:00:00.000Z");
const ID_NO = "330102198001011234";
const ID_X = "11010519491231002X";
const ACCOUNT = "6222021202041234567";
const MOBILE = "13812345678";
const LANDLINE = "0571-87654321";
const FIRM = "91330100MA27XXXX1X";

/** RFC 4180 reader (quotes, doubled quotes, CRLF), enough to read our own files back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += ch;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

function alert(id: string, over: Partial<Alert> = {}): Alert {
  return {
    id,
    rank: 1,
    score: 0.7,
    kind: "pair",
    firms: [FIRM, "F2"],
    tenders: ["3301002025000123"],
    amount: 4_500_000,
    channels: ["analyst", "inspection"],
    evidence: [
      {
        rule: "SHARED_PROJECT_MANAGER",
        weight: 0.7,
        text_zh: `两家企业的项目经理均为 ${ID_NO}，联系电话 ${MOBILE}`,
        text_en: `both name project manager ${ID_NO}`,
        facts: {
          field: "project_manager_id",
          shared_values: [ID_NO, ID_X],
          bond: {
            account: ACCOUNT,
            spaced: "6222 0212 0204 1234 567",
            phones: [MOBILE, LANDLINE, "(010)12345678"],
          },
          n_tenders: 2,
        },
      },
    ],
    summary_zh: `疑似串通投标：保证金账户 ${ACCOUNT}，电话 ${MOBILE}`,
    summary_en: `Suspected collusion: bond account ${ACCOUNT}, phone +86 138 1234 5678`,
    ...over,
  };
}

describe("masking (pure)", () => {
  it.each([
    [ID_NO, "3301**********1234"],
    [ID_X, "1101**********002X"],
    [`身份证${ID_NO}号`, "身份证3301**********1234号"],
    [MOBILE, "138****5678"],
    ["电话：+86 138-1234-5678。", "电话：+86 138****5678。"],
    [LANDLINE, "0571-****4321"],
    ["(010)12345678", "010-****5678"],
    ["01012345678", "010-****5678"],
    [ACCOUNT, "6222***********4567"],
    ["6222 0212 0204 1234 567", "6222***********4567"],
    [
      "IP 10.0.0.8, MAC AA:BB:CC:DD:EE:FF, 2025-03-03 10:00:00, ¥4500000.00",
      "IP 10.0.0.8, MAC AA:BB:CC:DD:EE:FF, 2025-03-03 10:00:00, ¥4500000.00",
    ],
    [
      "hash e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "hash e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ],
    ["E3301000000012345678", "E3301000000012345678"],
  ])("masks %j as %j", (input, expected) => {
    expect(maskText(input)).toBe(expected);
    expect(findSensitive(expected)).toEqual([]);
  });

  it("keeps listed public ids and masks deep without mutating", () => {
    const keep = new Set(["3301002025000123"]);
    expect(maskText("标段 3301002025000123 账户 3301002025000999", { keep })).toBe(
      "标段 3301002025000123 账户 3301********0999",
    );
    const input = { a: [{ b: MOBILE }], n: 13812345678, d: null };
    const out = maskDeep(input);
    expect(out).toEqual({ a: [{ b: "138****5678" }], n: 13812345678, d: null });
    expect(input.a[0]?.b).toBe(MOBILE);
  });
});

describe("exports", () => {
  let db: Db;
  let dir: string;
  let cleanup: () => Promise<void>;
  const clock = { now: () => T0 };
  const ctx = () => ({ db, clock });

  beforeEach(async () => {
    db = await Db.open(":memory:");
    await initAlertStore(db);
    ({ dir, cleanup } = await tempDir());
    await upsertAlerts(
      db,
      [
        alert("A-formula", {
          summary_zh: '=HYPERLINK("http://x","y")',
          summary_en: '=HYPERLINK("http://x","y")',
          score: 0.9,
        }),
        alert("A-confirmed", { score: 0.8 }),
        alert("A-dismissed", { score: 0.7, firms: ["F5", "F6"] }),
        alert("A-discipline", { score: 0.6, channels: ["analyst"], firms: ["F7", "F8"] }),
      ],
      clock,
    );
    for (const id of ["A-confirmed", "A-dismissed", "A-discipline"]) await claim(ctx(), id, "analyst.li");
    await close(ctx(), "A-confirmed", "analyst.li", "confirmed", "属实");
    await close(ctx(), "A-dismissed", "analyst.li", "dismissed", "误报");
    await refer(ctx(), "A-discipline", "analyst.li", "discipline", "涉及招标人");
  });
  afterEach(async () => {
    db.close();
    await cleanup();
  });

  it("writes a formula-safe CSV with BOM and Chinese headers that reads back as text", async () => {
    const path = join(dir, "inspection.csv");
    const res = await exportAlerts(
      db,
      { channel: "inspection", format: "csv", lang: "zh", encoding: "utf8" },
      path,
    );
    expect(res).toMatchObject({ count: 2, masked: false, encoding: "utf8" });
    const buf = await readFile(path);
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(buf.subarray(3).toString("utf8"));
    const header = rows[0] as string[];
    expect(header.slice(0, 6)).toEqual(["预警编号", "排名", "状态", "核查结论", "风险分", "类型"]);
    const byId = new Map(
      rows.slice(1).map((r) => [r[0], Object.fromEntries(header.map((h, i) => [h, r[i]]))]),
    );
    expect([...byId.keys()]).toEqual(["A-formula", "A-confirmed"]); // dismissed left out, discipline not routed here
    expect(byId.get("A-formula")?.摘要).toBe(`'=HYPERLINK("http://x","y")`);
    expect(byId.get("A-confirmed")).toMatchObject({
      状态: "已办结",
      核查结论: "属实",
      类型: "串通投标企业对",
    });
    expect(byId.get("A-confirmed")?.建议移送).toBe("监管分析;行业监督部门");
    expect(byId.get("A-formula")?.首次发现).toBe("2025-03-03 10:00:00");
    for (const r of rows) for (const cell of r) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it("writes English headers and GBK without BOM", async () => {
    const path = join(dir, "discipline.csv");
    const res = await exportAlerts(
      db,
      { channel: "discipline", format: "csv", lang: "en", encoding: "gbk" },
      path,
    );
    expect(res.count).toBe(1);
    const buf = await readFile(path);
    expect(buf[0]).not.toBe(0xef);
    const text = iconv.decode(buf, "gbk");
    const rows = parseCsv(text);
    expect(rows[0]?.slice(0, 3)).toEqual(["id", "rank", "status"]);
    expect(rows[1]?.[0]).toBe("A-discipline");
    expect(rows[1]?.[2]).toBe("referred");
    expect(text).toContain("Suspected collusion");
    await exportAlerts(db, { channel: "discipline", format: "csv", lang: "zh", encoding: "gbk" }, path);
    const zh = parseCsv(iconv.decode(await readFile(path), "gbk"));
    expect(zh[0]?.[0]).toBe("预警编号");
    expect(zh[1]?.[2]).toBe("已移送");
    expect(zh[1]?.find((c) => c.startsWith("疑似串通投标"))).toBeDefined();
  });

  it("writes JSON with the full evidence and workflow fields", async () => {
    const path = join(dir, "analyst.json");
    await exportAlerts(db, { channel: "analyst", format: "json", lang: "zh", encoding: "utf8" }, path);
    const data = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>[];
    expect(data.map((d) => d.id)).toEqual(["A-formula", "A-confirmed", "A-discipline"]);
    expect(data[1]).toMatchObject({
      status: "closed",
      verdict: "confirmed",
      closed_at: "2025-03-03T10:00:00.000+08:00",
    });
    expect(data[0]?.evidence).toEqual(alert("x").evidence);
  });

  it("the public (公示) export holds only confirmed alerts, with nothing personal left unmasked", async () => {
    for (const format of ["csv", "json"] as const) {
      const path = join(dir, `public.${format}`);
      const res = await exportAlerts(db, { channel: "public", format, lang: "zh", encoding: "utf8" }, path);
      expect(res).toMatchObject({ count: 1, masked: true });
      const text = await readFile(path, "utf8");
      for (const raw of [
        ID_NO,
        ID_X,
        ACCOUNT,
        MOBILE,
        "87654321",
        "12345678",
        "138 1234 5678",
        "0212 0204",
      ]) {
        expect(text, `${format}: ${raw}`).not.toContain(raw);
      }
      expect(findSensitive(text, { keep: new Set([FIRM, "F2", "3301002025000123"]) })).toEqual([]);
      expect(text).toContain("6222***********4567");
      expect(text).toContain("138****5678");
      if (format === "json") expect(text).toContain("3301**********1234");
      expect(text).toContain(FIRM);
      expect(text).toContain("3301002025000123");
      expect(text).not.toContain("A-formula");
      expect(text).not.toContain("analyst.li");
    }
    const csv = parseCsv((await readFile(join(dir, "public.csv"), "utf8")).slice(1));
    expect(csv[0]).toEqual([
      "预警编号",
      "类型",
      "涉及企业",
      "涉及标段",
      "涉案金额(元)",
      "核查结论",
      "办结时间",
      "依据规则",
      "摘要",
    ]);
  });

  it("masks another channel's export on request and rejects bad options", async () => {
    const path = join(dir, "masked.json");
    const res = await exportAlerts(db, { channel: "inspection", format: "json", public: true }, path);
    expect(res).toMatchObject({ count: 2, masked: true });
    expect(await readFile(path, "utf8")).not.toContain(MOBILE);
    await expect(exportAlerts(db, { channel: "press" as never, format: "csv" }, path)).rejects.toMatchObject({
      code: "E_EXPORT_INPUT",
    });
    await expect(
      exportAlerts(db, { channel: "public", format: "json", encoding: "gbk" }, path),
    ).rejects.toMatchObject({
      code: "E_EXPORT_INPUT",
    });
    await expect(
      exportAlerts(db, { channel: "public", format: "csv", out: "x" } as never, path),
    ).rejects.toMatchObject({
      code: "E_EXPORT_INPUT",
    });
  });
});
