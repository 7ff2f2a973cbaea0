import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.ts";
import type { Db } from "../src/db/duckdb.ts";
import { buildDetectors, runDetectors } from "../src/detectors/index.ts";
import { computeFeatures, FEATURE_DEFAULTS } from "../src/features/index.ts";
import { ingest } from "../src/ingest/index.ts";
import { memoryDb } from "./helpers/db.ts";

const fixture = (rule: string) => join(import.meta.dirname, "..", "data", "fixtures", "detectors", rule);

let db: Db;
beforeEach(async () => {
  db = await memoryDb();
});
afterEach(() => db.close());

describe("configuration file", () => {
  it("rejects unknown keys and bad values, naming them", () => {
    expect(() => parseConfig('{"hub": {"flor": 3}}', "c.json")).toThrow(/c\.json: hub: Unrecognized key/);
    expect(() => parseConfig('{"allow": {"imei": ["x"]}}', "c.json")).toThrow(/allow/);
    expect(() => parseConfig('{"deadlines": {"holidays": ["2026/10/01"]}}', "c.json")).toThrow(/YYYY-MM-DD/);
    expect(() => parseConfig("{", "c.json")).toThrow(/not valid JSON/);
  });

  it("fills defaults and adds configured holidays to the calendar", () => {
    const s = parseConfig(
      '{"deadlines": {"acceptWorkingDays": 3, "holidays": ["2027-01-01"]}, "hub": {"floor": 8}}',
      "c.json",
    );
    expect(s.deadlines.acceptWorkingDays).toBe(3);
    expect(s.deadlines.resultWorkingDays).toBe(10);
    expect(s.deadlines.calendar.holidays).toContain("2027-01-01");
    expect(s.hub).toEqual({ floor: 8, iqrMultiplier: 3, minValues: 30 });
  });

  it("an allow-listed value stops raising findings; a deny-listed hub value raises them", async () => {
    await ingest(db, [fixture("SHARED_HARDWARE_ID")], { firmIds: "any" });
    const features = await computeFeatures(db, FEATURE_DEFAULTS);
    const hw = (lists: Parameters<typeof buildDetectors>[0]) =>
      runDetectors(features, buildDetectors(lists)).findings.filter((f) => f.rule === "SHARED_HARDWARE_ID");
    expect(hw({ allow: {}, deny: {} }).map((f) => f.firms.join("+"))).toEqual(["C1+W"]);
    expect(hw({ allow: { hardware_id: ["BFEBFBFF000906EA-WD123"] }, deny: {} })).toEqual([]);
    // HALL-TERMINAL-01 is used by eight firms: a hub, unless the analyst denies it.
    const denied = hw({ allow: {}, deny: { hardware_id: ["HALL-TERMINAL-01"] } });
    expect(denied.map((f) => f.firms.join("+"))).toContain("H1+H2");
    expect(denied.length).toBeGreaterThan(1);
  });
});
