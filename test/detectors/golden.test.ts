import { readdirSync, readFileSync } from "node:fs";
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/duckdb.ts";
import { DETECTORS, runDetectors } from "../../src/detectors/index.ts";
import { computeSharedValues, readSharedValues } from "../../src/features/identity.ts";
import { ingest } from "../../src/ingest/index.ts";
import { memoryDb, tempDir } from "../helpers/db.ts";

const dir = fileURLToPath(new URL("../../data/fixtures/detectors/", import.meta.url));
const rules = readdirSync(dir)
  .filter((f) => f.endsWith(".expected.json"))
  .map((f) => f.replace(".expected.json", ""));

let db: Db;
beforeEach(async () => {
  db = await memoryDb();
});
afterEach(() => db.close());

describe("detector golden fixtures", () => {
  it("covers every registered detector", () => {
    expect(rules.sort()).toEqual(DETECTORS.map((d) => d.rule).sort());
  });

  it.each(rules)("%s", async (rule) => {
    const tmp = await tempDir();
    try {
      await copyFile(join(dir, `${rule}.csv`), join(tmp.dir, "bids.csv"));
      await ingest(db, [tmp.dir], { firmIds: "any" });
    } finally {
      await tmp.cleanup();
    }
    await computeSharedValues(db);
    const findings = runDetectors({ sharedValues: await readSharedValues(db) })
      .filter((f) => f.rule === rule)
      .map(({ text_zh: _zh, text_en: _en, ...rest }) => rest);
    const expected = JSON.parse(readFileSync(join(dir, `${rule}.expected.json`), "utf8"));
    expect(JSON.parse(JSON.stringify(findings))).toEqual(expected);
  });
});
