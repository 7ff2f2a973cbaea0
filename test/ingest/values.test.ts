import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/duckdb.ts";
import { isValidUscc, USCC_ALPHABET, usccCheckChar } from "../../src/domain/uscc.ts";
import { memoryDb } from "../helpers/db.ts";

let db: Db;
beforeAll(async () => {
  db = await memoryDb();
});
afterAll(() => db.close());

async function value<T>(expr: string, params: Record<string, string | null>): Promise<T> {
  const row = await db.one<{ v: T }>(`SELECT ${expr} AS v`, params);
  return row?.v as T;
}

describe("value normalisation macros", () => {
  it.each([
    ["1,234,567.89", 1234567.89],
    ["１２３４５６７.８９", 1234567.89],
    ["１，２３４，５６７．８９", 1234567.89],
    ["¥ 12,000", 12000],
    ["12000元", 12000],
    [" 5e3 ", 5000],
    ["abc", null],
    ["", null],
  ])("price text %j → %j", async (input, expected) => {
    expect(await value("bw_num($s)", { s: input })).toBe(expected);
  });

  it.each([
    ["2025-05-24 18:47:38", "2025-05-24 18:47:38"],
    ["2025/5/24 18:47", "2025-05-24 18:47:00"],
    ["2025-05-24T18:47:38+08:00", "2025-05-24 18:47:38"],
    ["2025-05-24T10:47:38Z", "2025-05-24 18:47:38"],
    ["2025-05-24T12:47:38+02:00", "2025-05-24 18:47:38"],
    ["2025年5月24日 18:47", "2025-05-24 18:47:00"],
    ["2025-05-24", "2025-05-24 00:00:00"],
    ["2025-02-30 10:00:00", null],
    ["2025-13-01 10:00", null],
    ["yesterday", null],
  ])("timestamp %j is read in Asia/Shanghai as %j", async (input, expected) => {
    expect(await value("strftime(bw_ts($s), '%Y-%m-%d %H:%M:%S')", { s: input })).toBe(expected);
  });

  it("interprets local times as Asia/Shanghai (UTC+8)", async () => {
    expect(await value("epoch(bw_ts($s))::BIGINT", { s: "2025-05-24 18:47:38" })).toBe(
      Date.UTC(2025, 4, 24, 10, 47, 38) / 1000,
    );
  });

  it.each([
    ["1", true],
    ["0", false],
    ["TRUE", true],
    ["false", false],
    ["是", true],
    ["否", false],
    ["maybe", null],
  ])("boolean %j → %j", async (input, expected) => {
    expect(await value("bw_bool($s)", { s: input })).toBe(expected);
  });

  it.each([
    ["aa-bb-cc-dd-ee-ff", "AA:BB:CC:DD:EE:FF"],
    ["AABBCCDDEEFF", "AA:BB:CC:DD:EE:FF"],
    ["aabb.ccdd.eeff", "AA:BB:CC:DD:EE:FF"],
    ["aa:bb:cc:dd:ee:ff", "AA:BB:CC:DD:EE:FF"],
    ["unknown", "UNKNOWN"],
  ])("MAC %j → %j", async (input, expected) => {
    expect(await value("bw_mac($s)", { s: input })).toBe(expected);
  });
});

describe("unified social credit code", () => {
  it("accepts published codes and rejects a changed check digit", () => {
    // Check digits computed by hand with GB 32100-2015's weights.
    expect(usccCheckChar("91350100MA0001000")).toBe("U");
    expect(isValidUscc("91350100MA0001000U")).toBe(true);
    expect(isValidUscc("91350100MA0001000V")).toBe(false);
    expect(isValidUscc("91350100MA000100")).toBe(false);
  });

  it("the SQL macro agrees with the TypeScript rule on many codes", async () => {
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const codes: string[] = [];
    for (let i = 0; i < 300; i++) {
      let body = "";
      for (let j = 0; j < 17; j++) body += USCC_ALPHABET[Math.floor(rnd() * 31)];
      const check = usccCheckChar(body) as string;
      const wrong = USCC_ALPHABET[(USCC_ALPHABET.indexOf(check) + 1 + Math.floor(rnd() * 30)) % 31];
      codes.push(body + check, body + wrong);
    }
    const rows = await db.all<{ c: string; ok: boolean }>(
      "SELECT c, bw_uscc_valid(c) AS ok FROM (SELECT unnest(string_split($codes, ',')) AS c)",
      { codes: codes.join(",") },
    );
    expect(rows).toHaveLength(codes.length);
    for (const r of rows) expect(r.ok).toBe(isValidUscc(r.c));
    expect(rows.filter((r) => r.ok)).toHaveLength(300);
  });
});
