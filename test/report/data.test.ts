import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/duckdb.ts";
import { readFirmNames } from "../../src/report/data.ts";
import { memoryDb } from "../helpers/db.ts";

describe("readFirmNames (report)", () => {
  let db: Db;
  beforeEach(async () => {
    db = await memoryDb();
    await db.exec(`INSERT INTO firms (firm_id, name) VALUES ('A', '甲公司'), ('B', NULL), ('D', '丁公司')`);
    await db.exec(`INSERT INTO bids (bid_id, tender_id, firm_id, price, firm_name) VALUES
      ('1', 'T1', 'A', 100, '甲公司（投标名）'), ('2', 'T1', 'B', 101, '乙公司'), ('3', 'T1', 'C', 102, '丙公司'),
      ('4', 'T2', 'E', 103, NULL)`);
  });
  afterEach(() => db.close());

  it("takes the firms table's name, else the name on the firm's bids, and leaves unnamed firms out", async () => {
    const names = await readFirmNames(db, ["A", "B", "C", "E", "Z"]);
    expect([...names.entries()].sort()).toEqual([
      ["A", "甲公司"],
      ["B", "乙公司"],
      ["C", "丙公司"],
    ]);
  });

  it("names from the firms table alone when the bids are empty; no ids, no names", async () => {
    await db.exec("DELETE FROM bids");
    expect([...(await readFirmNames(db, ["A", "D"])).entries()]).toEqual([
      ["A", "甲公司"],
      ["D", "丁公司"],
    ]);
    expect((await readFirmNames(db, [])).size).toBe(0);
  });
});
