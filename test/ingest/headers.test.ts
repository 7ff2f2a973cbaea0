import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COLUMNS, TABLE_NAMES } from "../../src/ingest/columns.ts";
import { mapHeaders, normaliseHeader, tableOfFile } from "../../src/ingest/headers.ts";

/** Golden: every alias of every table and the canonical column it must map to. */
const golden = JSON.parse(readFileSync(new URL("../golden/aliases.json", import.meta.url), "utf8")) as Record<
  string,
  Record<string, string>
>;

describe("header alias table", () => {
  it("maps every alias to the canonical column recorded in the golden file", () => {
    const actual: Record<string, Record<string, string>> = {};
    for (const table of TABLE_NAMES) {
      actual[table] = {};
      for (const spec of COLUMNS[table]) {
        for (const alias of [spec.name, ...spec.aliases]) {
          const m = mapHeaders(table, [alias]);
          const mapped = m.columns[0]?.spec.name;
          // Within one table an alias may only be taken by one column.
          if (mapped !== undefined && !(alias in (actual[table] as object)))
            (actual[table] as Record<string, string>)[alias] = mapped;
        }
      }
    }
    expect(actual).toEqual(golden);
  });

  it("matches case-insensitively after trimming and folds full-width brackets", () => {
    const m = mapHeaders("bids", [" TENDER_ID ", "投标人统一社会信用代码", "报价（元）", "是否中标"]);
    expect(m.columns.map((c) => c.spec.name)).toEqual(["tender_id", "firm_id", "price", "is_winner"]);
    expect(m.missing).toEqual([]);
  });

  it("reads the unit 万元 from a price header", () => {
    expect(normaliseHeader("投标报价(万元)")).toEqual({ key: "投标报价", unit: "wan_yuan" });
    expect(normaliseHeader("投标报价（万元）")).toEqual({ key: "投标报价", unit: "wan_yuan" });
    expect(normaliseHeader("投标报价万元")).toEqual({ key: "投标报价", unit: "wan_yuan" });
    expect(normaliseHeader("报价(元)").unit).toBe("yuan");
    const m = mapHeaders("bids", ["标段编号", "统一社会信用代码", "投标报价(万元)"]);
    expect(m.columns[2]).toMatchObject({ unit: "wan_yuan", spec: { name: "price" } });
  });

  it("reports missing required columns and ignores unknown ones", () => {
    const m = mapHeaders("bids", ["标段编号", "备注"]);
    expect(m.missing).toEqual(["firm_id", "price"]);
    expect(m.ignored).toEqual(["备注"]);
  });

  it("accepts tender-level columns inside bids (denormalised exports)", () => {
    const m = mapHeaders("bids", ["tender_id", "firm_id", "price", "最高投标限价", "项目类型"]);
    expect(m.columns.map((c) => c.spec.name)).toEqual([
      "tender_id",
      "firm_id",
      "price",
      "ceiling_price",
      "category",
    ]);
  });

  it("names the table from the file stem", () => {
    expect(tableOfFile("bids.csv")).toBe("bids");
    expect(tableOfFile("Tenders.PARQUET")).toBe("tenders");
    expect(tableOfFile("投标记录.csv")).toBe("bids");
    expect(tableOfFile("firm_people.ndjson")).toBe("firm_people");
    expect(tableOfFile("notes.csv")).toBeUndefined();
  });
});
