/**
 * Golden fixtures per detector (data/fixtures/detectors/README.md): each `RULE/` folder is a minimal export
 * run through ingest → features → detectors; the rule's findings must equal `RULE.expected.json`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/duckdb.ts";
import { DETECTORS, runDetectors } from "../../src/detectors/index.ts";
import { RULE as RING } from "../../src/detectors/rings.ts";
import { computeFeatures } from "../../src/features/index.ts";
import { ingest } from "../../src/ingest/index.ts";
import { memoryDb } from "../helpers/db.ts";

const dir = fileURLToPath(new URL("../../data/fixtures/detectors/", import.meta.url));
const CORE_RULES = new Set([...DETECTORS.map((d) => d.rule), RING]);
const rules = readdirSync(dir)
  .filter((f) => statSync(join(dir, f)).isDirectory() && CORE_RULES.has(f))
  .sort();

let db: Db;
beforeEach(async () => {
  db = await memoryDb();
});
afterEach(() => db.close());

describe("detector golden fixtures", () => {
  it("covers every registered detector", () => {
    expect(rules).toEqual([...CORE_RULES].sort());
  });

  it.each(rules)("%s", async (rule) => {
    await ingest(db, [join(dir, rule)], { firmIds: "any" });
    const findings = runDetectors(await computeFeatures(db))
      .findings.filter((f) => f.rule === rule)
      .map(({ text_zh: _zh, text_en: _en, ...rest }) => rest);
    const expected = JSON.parse(readFileSync(join(dir, `${rule}.expected.json`), "utf8"));
    expect(JSON.parse(JSON.stringify(findings))).toEqual(expected);
  });
});
