import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { shanghaiDate } from "../../src/alerts/calendar.ts";
import { findSensitive } from "../../src/alerts/mask.ts";
import { registerInspectCommands } from "../../src/cli/inspect.ts";
import { Db } from "../../src/db/duckdb.ts";
import { initDb } from "../../src/db/init.ts";
import { BidwatchError } from "../../src/errors.ts";
import type { PlanDocument } from "../../src/inspect/commitment.ts";
import { tempDir } from "../helpers/db.ts";
import { seedTenders } from "./fixtures.ts";

const ROSTER_CSV = [
  "姓名,部门,执法证号,回避对象,手机",
  "王一,住建局,ZJ-001,,13800000001",
  "李二,住建局,ZJ-002,F1,13800000002",
  "张三,财政局,CZ-001,,13800000003",
  "赵四,财政局,CZ-002,OWNER,13800000004",
  "钱五,交通局,JT-001,,13800000005",
  "孙六,水利局,SL-001,AGENCY,13800000006",
  "",
].join("\r\n");

describe("bidwatch inspect (command line)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let out: string[];

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    const db = await Db.open(join(dir, "bw.duckdb"));
    await initDb(db);
    await seedTenders(db);
    db.close();
    await writeFile(join(dir, "roster.csv"), ROSTER_CSV);
    out = [];
    vi.spyOn(process.stdout, "write").mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await cleanup();
  });

  async function run(...args: string[]): Promise<string> {
    const program = new Command("bidwatch").exitOverride();
    registerInspectCommands(program);
    out = [];
    await program.parseAsync(["inspect", ...args, "--db", join(dir, "bw.duckdb")], { from: "user" });
    return out.join("");
  }

  it("roster load → plan → reveal → verify → record → publish", async () => {
    const planDir = join(dir, "plan");
    await run("roster", "load", join(dir, "roster.csv"), "--actor", "hr");
    const printed = await run(
      "plan",
      "--from",
      "2025-03-01",
      "--to",
      "2025-03-31",
      "--ratio",
      "0.05",
      "--out",
      planDir,
      "--actor",
      "planner",
    );
    const doc = JSON.parse(await readFile(join(planDir, "plan.json"), "utf8")) as PlanDocument;
    expect(doc.items).toHaveLength(1); // ⌈0.05 · 20⌉
    expect(doc.reveal).toBeUndefined();
    expect(printed).toContain(`commitment:  ${doc.commitment}`);
    expect(printed).toContain(`secret until \`bidwatch inspect reveal ${doc.plan_id}\``);
    expect(printed).toMatch(/drawn: {7}1 of 20 tenders/);
    const commitment = await readFile(join(planDir, "commitment.txt"), "utf8");
    expect(commitment).toContain(doc.commitment);
    expect(commitment).toContain(doc.params.candidates_hash);
    expect(existsSync(join(planDir, "plan.csv"))).toBe(true);
    // the roster's phone column is not stored
    expect(JSON.stringify(doc.roster)).not.toContain("1380000000");

    const revealed = await run("reveal", doc.plan_id, "--out", planDir, "--actor", "planner");
    const seed = /seed: +(\S+)/.exec(revealed)?.[1] as string;
    expect(seed).toMatch(/^[0-9a-f]{64}$/);
    expect(commitment).not.toContain(seed);
    const after = JSON.parse(await readFile(join(planDir, "plan.json"), "utf8")) as PlanDocument;
    expect(after.reveal?.seed).toBe(seed);

    const ok = await run("verify", "--plan", planDir, "--seed", seed);
    expect(ok).toMatch(/^ok +commitment/m);
    expect(ok).toMatch(/^ok +draw/m);
    expect(ok).toMatch(/^ok +population/m);
    let err: unknown;
    try {
      // Change the last hex digit (to another digit, whatever it was).
      const tampered = `${seed.slice(0, -1)}${seed.endsWith("0") ? "1" : "0"}`;
      await run("verify", "--plan", doc.plan_id, "--seed", tampered);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BidwatchError);
    expect((err as BidwatchError).code).toBe("E_INSPECT_VERIFY");
    expect((err as Error).message).toMatch(/fails verification \(commitment\)/);

    const item = doc.items[0];
    if (!item) throw new Error("no item");
    const today = shanghaiDate(new Date());
    await run(
      "record",
      planDir,
      "1",
      "--inspector",
      item.inspectors[0] as string,
      "--finding",
      "投标保证金由账户 6222021202041234567 代缴，联系人 13912345678",
      "--date",
      today,
      "--actor",
      "clerk",
    );
    const shown = JSON.parse(await run("show", doc.plan_id, "--json")) as { items: { status: string }[] };
    expect(shown.items[0]?.status).toBe("due");
    const notice = join(dir, "notice.md");
    await run("publish", doc.plan_id, "--out", notice, "--actor", "clerk");
    const text = await readFile(notice, "utf8");
    expect(text).toContain("6222***********4567");
    expect(text).toContain("139****5678");
    expect(findSensitive(text, { keep: new Set([item.tender_id, seed]) })).toEqual([]);
    expect(await run("list")).toContain(doc.plan_id);
  });

  it("rejects bad options", async () => {
    await expect(
      run("plan", "--from", "2025-03-01", "--to", "2025-03-31", "--ratio", "x", "--out", dir, "--actor", "a"),
    ).rejects.toThrow(/--ratio must be a number/);
    await expect(
      run(
        "plan",
        "--from",
        "2025-03-01",
        "--to",
        "2025-03-31",
        "--ratio",
        "0.1",
        "--out",
        dir,
        "--actor",
        "a",
      ),
    ).rejects.toThrow(/no roster/);
    await expect(
      run(
        "plan",
        ...["--from", "2025-03-01", "--to", "2025-03-31", "--ratio", "0.1", "--out", dir, "--actor", "a"],
        ...["--roster", join(dir, "roster.csv"), "--weights", "risk=2,colour=1"],
      ),
    ).rejects.toThrow(/unknown weight setting "colour"/);
  });
});
