import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { ingest } from "../../src/ingest/index.ts";
import { memoryDb, perTestDbAndDir, tempDir } from "../helpers/db.ts";

// Two valid credit codes (GB 32100-2015 check digits).
const A = "91350100MA0001000U";
const B = "91350100MA00010110";

const zhHeader = "标段编号,投标人统一社会信用代码,投标人名称,投标报价,递交时间,是否中标";
const zhRows = [
  `T1,${A},𠀀甲建设有限公司,1234567.89,2025-05-24 18:47:38,是`,
  `T1,${B},乙工程有限公司,1250000,2025-05-24 18:50:00,否`,
];
const csvText = `${zhHeader}\n${zhRows.join("\n")}\n`;

const objects = [
  {
    tender_id: "T1",
    firm_id: A,
    firm_name: "𠀀甲建设有限公司",
    price: 1234567.89,
    submitted_at: "2025-05-24 18:47:38",
    is_winner: true,
  },
  {
    tender_id: "T1",
    firm_id: B,
    firm_name: "乙工程有限公司",
    price: "1,250,000",
    submitted_at: "2025-05-24 18:50:00",
    is_winner: "否",
  },
];

const ctx = perTestDbAndDir();

async function loadedBids(): Promise<unknown[]> {
  return ctx.db.all(
    `SELECT bid_id, firm_id, firm_name, price::DOUBLE AS price, strftime(submitted_at, '%Y-%m-%d %H:%M:%S') AS submitted_at, is_winner
     FROM bids ORDER BY bid_id`,
  );
}

const expected = [
  {
    bid_id: `T1:${A}`,
    firm_id: A,
    firm_name: "𠀀甲建设有限公司",
    price: 1234567.89,
    submitted_at: "2025-05-24 18:47:38",
    is_winner: true,
  },
  {
    bid_id: `T1:${B}`,
    firm_id: B,
    firm_name: "乙工程有限公司",
    price: 1250000,
    submitted_at: "2025-05-24 18:50:00",
    is_winner: false,
  },
];

describe("ingest formats and encodings", () => {
  it("reads UTF-8 CSV", async () => {
    await writeFile(join(ctx.dir, "bids.csv"), csvText);
    const [r] = await ingest(ctx.db, [ctx.dir]);
    expect(r).toMatchObject({ encoding: "utf-8", format: "csv", read: 2, loaded: 2, rejected: 0 });
    expect(await loadedBids()).toEqual(expected);
  });

  it("reads UTF-8 CSV with a BOM", async () => {
    await writeFile(join(ctx.dir, "bids.csv"), `\uFEFF${csvText}`);
    const [r] = await ingest(ctx.db, [ctx.dir]);
    expect(r).toMatchObject({ encoding: "utf-8-bom", loaded: 2 });
    expect(await loadedBids()).toEqual(expected);
  });

  it("detects GBK CSV (no GB18030-only characters)", async () => {
    const gbkSafe = csvText.replace("𠀀", "");
    await writeFile(join(ctx.dir, "bids.csv"), iconv.encode(gbkSafe, "gbk"));
    const [r] = await ingest(ctx.db, [ctx.dir]);
    expect(r).toMatchObject({ encoding: "gb18030", loaded: 2 });
    const rows = (await loadedBids()) as { firm_name: string }[];
    expect(rows.map((x) => x.firm_name)).toEqual(["甲建设有限公司", "乙工程有限公司"]);
  });

  it("detects GB18030 CSV with four-byte characters", async () => {
    await writeFile(join(ctx.dir, "bids.csv"), iconv.encode(csvText, "gb18030"));
    const [r] = await ingest(ctx.db, [ctx.dir]);
    expect(r).toMatchObject({ encoding: "gb18030", loaded: 2 });
    expect(await loadedBids()).toEqual(expected);
  });

  it("reads NDJSON", async () => {
    await writeFile(join(ctx.dir, "bids.ndjson"), `${objects.map((o) => JSON.stringify(o)).join("\n")}\n\n`);
    const [r] = await ingest(ctx.db, [ctx.dir]);
    expect(r).toMatchObject({ format: "ndjson", read: 2, loaded: 2 });
    expect(await loadedBids()).toEqual(expected);
  });

  it("reads a JSON array, and a .json file holding NDJSON", async () => {
    await writeFile(join(ctx.dir, "bids.json"), JSON.stringify(objects, null, 2));
    const [r] = await ingest(ctx.db, [ctx.dir]);
    expect(r).toMatchObject({ format: "json", loaded: 2 });
    expect(await loadedBids()).toEqual(expected);

    const db2 = await memoryDb();
    const { dir: d2, cleanup: c2 } = await tempDir();
    await writeFile(join(d2, "bids.json"), objects.map((o) => JSON.stringify(o)).join("\r\n"));
    const [r2] = await ingest(db2, [d2]);
    expect(r2).toMatchObject({ format: "ndjson", loaded: 2 });
    db2.close();
    await c2();
  });

  it("reads Parquet with typed columns", async () => {
    const path = join(ctx.dir, "bids.parquet");
    await ctx.db.exec(
      `COPY (SELECT * FROM (VALUES
         ('T1', '${A}', '𠀀甲建设有限公司', 1234567.89::DECIMAL(18,2), TIMESTAMP '2025-05-24 18:47:38', true),
         ('T1', '${B}', '乙工程有限公司', 1250000::DECIMAL(18,2), TIMESTAMP '2025-05-24 18:50:00', false))
       v(tender_id, firm_id, firm_name, price, submitted_at, is_winner)) TO '${path}' (FORMAT parquet)`,
    );
    const [r] = await ingest(ctx.db, [path]);
    expect(r).toMatchObject({ format: "parquet", encoding: "binary", loaded: 2 });
    expect(await loadedBids()).toEqual(expected);
  });

  it("reports NDJSON lines that are not JSON objects with their line numbers", async () => {
    await writeFile(
      join(ctx.dir, "bids.ndjson"),
      `${JSON.stringify(objects[0])}\n{"tender_id": "T2",\n[1,2]\n${JSON.stringify(objects[1])}\n`,
    );
    const [r] = await ingest(ctx.db, [ctx.dir]);
    expect(r).toMatchObject({ read: 4, loaded: 2, rejected: 2 });
    const rej = await ctx.db.all<{ line: number; reason: string }>(
      "SELECT line, reason FROM rejects ORDER BY line",
    );
    expect(rej).toEqual([
      { line: 2, reason: "record is not a JSON object" },
      { line: 3, reason: "record is not a JSON object" },
    ]);
  });
});
