import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputFileError } from "../../src/errors.ts";
import { ingest } from "../../src/ingest/index.ts";
import { memoryDb, perTestDbAndDir } from "../helpers/db.ts";

const A = "91350100MA0001000U";
const B = "91350100MA00010110";
const HEADER = "tender_id,firm_id,price,submitted_at,ip";

const ctx = perTestDbAndDir();

const rejects = () =>
  ctx.db.all<{ file: string; line: number; table_name: string; reason: string }>(
    "SELECT file, line, table_name, reason FROM rejects ORDER BY file, line",
  );

/** Temp tables and views other than the label table initDb makes (ingest's working tables must all be gone). */
const leftoverTempTables = () =>
  ctx.db.all<{ name: string }>(
    `SELECT table_name AS name FROM duckdb_tables() WHERE temporary AND table_name <> 'bw_labels'
     UNION ALL SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal`,
  );

const snapshot = async () => ({
  bids: await ctx.db.all("SELECT * EXCLUDE (_file_id) FROM bids ORDER BY bid_id"),
  tenders: await ctx.db.all("SELECT * EXCLUDE (_file_id) FROM tenders ORDER BY tender_id"),
  files: await ctx.db.all("SELECT sha256, n_read FROM ingest_files ORDER BY file_id"),
  rejects: await rejects(),
});

describe("bad rows", () => {
  it("rejects each bad row with file, line and reason, loads the rest, and reconciles", async () => {
    const rows = [
      `T1,${A},100000,2025-05-24 10:00:00,1.1.1.1`, // 2 ok
      `T1,${B},-5,2025-05-24 10:00:00,1.1.1.1`, // 3 negative
      `T2,${A},abc,2025-05-24 10:00:00,`, // 4 non-numeric
      `T2,${B},1e30,2025-05-24 10:00:00,`, // 5 overflow
      `,${A},100,2025-05-24 10:00:00,`, // 6 empty tender id
      `T3,91350100MA0001000V,100,2025-05-24 10:00:00,`, // 7 bad check digit
      `T3,${A},100,2025-02-30 10:00:00,`, // 8 impossible date
      `T1,${A},100000,2025-05-24 10:00:00,1.1.1.1`, // 9 exact duplicate of line 2
      `T1,${A},999999,2025-05-24 10:00:00,1.1.1.1`, // 10 conflicting duplicate of line 2
      `T3,${B},100,2025-05-24 10:00:00,,extra`, // 11 too many fields
      `T3,${B},"1,234.50",2025-05-24 10:00:00,`, // 12 ok
    ];
    await writeFile(join(ctx.dir, "bids.csv"), `${HEADER}\n${rows.join("\n")}\n`);
    const [r] = await ingest(ctx.db, [ctx.dir]);
    expect(r).toMatchObject({ read: 11, loaded: 2, rejected: 8, duplicates: 1 });
    expect(r?.read).toBe((r?.loaded ?? 0) + (r?.rejected ?? 0) + (r?.duplicates ?? 0));
    const rej = await rejects();
    expect(rej.map((x) => x.line)).toEqual([3, 4, 5, 6, 7, 8, 10, 11]);
    const reasons = rej.map((x) => x.reason);
    expect(reasons[0]).toBe('price "-5" must be greater than 0');
    expect(reasons[1]).toBe('price "abc" is not a number');
    expect(reasons[2]).toBe('price "1e30" is out of range');
    expect(reasons[3]).toBe("tender_id is empty");
    expect(reasons[4]).toMatch(/^firm_id "91350100MA0001000V" is not a valid unified social credit code/);
    expect(reasons[5]).toBe('submitted_at "2025-02-30 10:00:00" is not a valid date/time');
    expect(reasons[6]).toBe(`duplicate key bid_id "T1:${A}" conflicts with line 2`);
    expect(reasons[7]).toMatch(/^malformed CSV record/);
    for (const x of rej) expect(x).toMatchObject({ file: "bids.csv", table_name: "bids" });
    const prices = await ctx.db.all<{ p: number }>("SELECT price::DOUBLE AS p FROM bids ORDER BY p");
    expect(prices.map((x) => x.p)).toEqual([1234.5, 100000]);
  });

  it("keeps the raw row of every reject", async () => {
    await writeFile(join(ctx.dir, "bids.csv"), `${HEADER}\nT1,${A},abc,,\n`);
    await ingest(ctx.db, [ctx.dir]);
    const row = await ctx.db.one<{ raw: string }>("SELECT raw FROM rejects");
    expect(JSON.parse(row?.raw ?? "{}")).toEqual({
      tender_id: "T1",
      firm_id: A,
      price: "abc",
      submitted_at: null,
      ip: null,
    });
  });

  it("accepts platform ids with --firm-ids any", async () => {
    await writeFile(join(ctx.dir, "bids.csv"), `${HEADER}\nT1,FIRM-001,100,,\n`);
    const [strict] = await ingest(ctx.db, [ctx.dir]);
    expect(strict).toMatchObject({ loaded: 0, rejected: 1 });
    const db2 = await memoryDb();
    const [loose] = await ingest(db2, [ctx.dir], { firmIds: "any" });
    expect(loose).toMatchObject({ loaded: 1, rejected: 0 });
    db2.close();
  });
});

describe("batches over time", () => {
  it("loads nothing new when the same file is ingested again", async () => {
    await writeFile(join(ctx.dir, "bids.csv"), `${HEADER}\nT1,${A},100,,\nT1,${B},abc,,\n`);
    await ingest(ctx.db, [ctx.dir]);
    const before = await snapshot();
    const [again] = await ingest(ctx.db, [ctx.dir]);
    expect(again).toMatchObject({ status: "already_ingested", read: 0, loaded: 0, rejected: 0 });
    expect(await snapshot()).toEqual(before);
  });

  it("updates a bid from a later batch and keeps the earlier version on record", async () => {
    await writeFile(join(ctx.dir, "bids.csv"), `${HEADER}\nT1,${A},100,,\nT1,${B},200,,\n`);
    await ingest(ctx.db, [join(ctx.dir, "bids.csv")]);
    await writeFile(join(ctx.dir, "bids.csv"), `${HEADER}\nT1,${A},150,,\nT1,${B},200,,\n`);
    const [r] = await ingest(ctx.db, [join(ctx.dir, "bids.csv")]);
    expect(r).toMatchObject({ read: 2, loaded: 1, updated: 1, duplicates: 1 });
    const cur = await ctx.db.all<{ firm_id: string; p: number }>(
      "SELECT firm_id, price::DOUBLE AS p FROM bids ORDER BY firm_id",
    );
    expect(cur).toEqual([
      { firm_id: A, p: 150 },
      { firm_id: B, p: 200 },
    ]);
    const hist = await ctx.db.all<{ firm_id: string; p: number; by: number }>(
      "SELECT firm_id, price::DOUBLE AS p, _superseded_by_file AS by FROM bids_history",
    );
    expect(hist).toEqual([{ firm_id: A, p: 100, by: r?.file_id }]);
  });

  it("derives tender rows from tender-level columns in bids, replaced by a real tenders file", async () => {
    await writeFile(
      join(ctx.dir, "bids.csv"),
      `tender_id,firm_id,price,最高投标限价,项目类型\nT1,${A},100,"1,000",水利\n`,
    );
    await ingest(ctx.db, [join(ctx.dir, "bids.csv")]);
    expect(
      await ctx.db.all("SELECT tender_id, ceiling_price::DOUBLE AS c, category, _derived FROM tenders"),
    ).toEqual([{ tender_id: "T1", c: 1000, category: "water", _derived: true }]);
    await writeFile(join(ctx.dir, "tenders.csv"), "tender_id,category,ceiling_price\nT1,交通,2000\n");
    const [r] = await ingest(ctx.db, [join(ctx.dir, "tenders.csv")]);
    expect(r).toMatchObject({ loaded: 1, updated: 0 });
    expect(
      await ctx.db.all("SELECT tender_id, ceiling_price::DOUBLE AS c, category, _derived FROM tenders"),
    ).toEqual([{ tender_id: "T1", c: 2000, category: "transport", _derived: false }]);
  });
});

describe("working tables", () => {
  it("are all dropped after a batch that loads, whether prepared before or inside the transaction", async () => {
    await writeFile(join(ctx.dir, "firms.csv"), `firm_id,name\n${A},a\n`);
    await writeFile(
      join(ctx.dir, "sanctions.csv"),
      `subject_id,start_date,end_date\n${A},2025-01-01,2025-12-31\n`,
    );
    await writeFile(join(ctx.dir, "bids.csv"), `${HEADER}\nT1,${A},100,,\nT1,${A},100,,\n`);
    const reports = await ingest(ctx.db, [ctx.dir]);
    expect(reports.map((r) => [r.table, r.loaded, r.duplicates])).toEqual([
      ["firms", 1, 0],
      ["sanctions", 1, 0],
      ["bids", 1, 1],
    ]);
    expect(await leftoverTempTables()).toEqual([]);
  });
});

describe("unreadable files", () => {
  async function expectFailure(files: Record<string, string | Buffer>, code: string, message: RegExp) {
    await writeFile(join(ctx.dir, "bids.csv"), `${HEADER}\nT1,${A},100,,\n`);
    for (const [name, content] of Object.entries(files)) await writeFile(join(ctx.dir, name), content);
    await ctx.db.exec("CREATE TABLE marker AS SELECT 1 AS x"); // the database before the failed batch
    const before = await snapshot();
    const err = await ingest(ctx.db, [ctx.dir]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputFileError);
    expect((err as InputFileError).code).toBe(code);
    expect((err as InputFileError).message).toMatch(message);
    expect(await snapshot()).toEqual(before);
    // Files are prepared in temp tables before the load transaction; none of them outlives a failure.
    expect(await leftoverTempTables()).toEqual([]);
  }

  it("fails on an unknown table and loads nothing of the batch", () =>
    expectFailure({ "notes.csv": "a,b\n1,2\n" }, "E_UNKNOWN_TABLE", /notes\.csv.*unknown table/));

  it("fails on a missing required column", () =>
    expectFailure(
      { "tenders.csv": "title,region\nx,330102\n" },
      "E_MISSING_COLUMN",
      /tenders\.csv.*"tender_id"/,
    ));

  it("fails on a file read after others were prepared, keeping none of them", () =>
    expectFailure(
      {
        "tenders.csv": "tender_id,title\nT1,x\n",
        "firms.csv": `firm_id,name\n${A},a\n`,
        "bids.csv": "tender_id,price\nT1,100\n",
      },
      "E_MISSING_COLUMN",
      /bids\.csv.*"firm_id"/,
    ));

  it("fails on an Excel workbook saved as .csv", () =>
    expectFailure(
      { "firms.csv": Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]) },
      "E_FORMAT",
      /firms\.csv.*Excel/,
    ));

  it("fails on text that is neither UTF-8 nor GB18030", () =>
    expectFailure(
      { "firms.csv": Buffer.from([0x66, 0x69, 0x72, 0x6d, 0x5f, 0x69, 0x64, 0x0a, 0x81, 0x20, 0xff, 0x0a]) },
      "E_ENCODING",
      /firms\.csv.*neither UTF-8 nor GBK/,
    ));

  it("fails on a broken JSON array", () =>
    expectFailure({ "firms.json": '[{"firm_id": "x"}, {' }, "E_PARSE", /firms\.json/));

  it("fails on a file that is not Parquet", () =>
    expectFailure({ "firms.parquet": "firm_id\nx\n" }, "E_FORMAT", /firms\.parquet.*Parquet/));
});
