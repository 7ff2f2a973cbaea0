/**
 * `bidwatch inspect …`: risk-weighted random inspection plans anyone can verify (双随机一公开).
 * roster load → plan (commitment published) → reveal → verify; record results → publish the notice.
 * See docs/inspect.md.
 */
import { randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { csvLine } from "../alerts/csv.ts";
import type { Db } from "../db/duckdb.ts";
import { BidwatchError, UsageError } from "../errors.ts";
import type { PlanDocument, Reveal, VerifyReport } from "../inspect/commitment.ts";
import { type NoticeFormat, planStatus, publishPlan } from "../inspect/publish.ts";
import {
  createPlan,
  decodeText,
  type InspectContext,
  initInspect,
  listPlans,
  loadRoster,
  parseRosterCsv,
  parseTenderRiskCsv,
  readPlan,
  recordResult,
  revealPlan,
  verifyWithDb,
} from "../inspect/store.ts";
import type { WeightSettings } from "../inspect/weights.ts";
import { DB_DEFAULT, printJson, resolveActor, stderrLogger, systemClock, withDb } from "./common.ts";

const cryptoBytes = (n: number): Uint8Array => randomBytes(n);

async function withInspectDb<T>(path: string, fn: (ctx: InspectContext) => Promise<T>): Promise<T> {
  return withDb(path, async (db: Db) => {
    await initInspect(db);
    return fn({ db, clock: systemClock, randomBytes: cryptoBytes });
  });
}

function numberArg(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n)) throw new UsageError(`${name} must be a number, not "${v}"`);
    return n;
  };
}

function intArg(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new UsageError(`${name} must be an integer, not "${v}"`);
    return n;
  };
}

/** "risk=4,sanction=2,watch=1" → settings (unknown names are rejected by weightSettings). */
function weightsArg(v: string): Partial<WeightSettings> {
  const out: Record<string, number> = {};
  for (const part of v.split(",").filter((x) => x.trim())) {
    const [k, x] = part.split("=").map((s) => s.trim());
    const n = Number(x);
    if (!k || x === undefined || x === "" || !Number.isFinite(n)) {
      throw new UsageError(`--weights: "${part}" is not name=number`);
    }
    out[k] = n;
  }
  return out as Partial<WeightSettings>;
}

async function readText(path: string): Promise<string> {
  try {
    return await decodeText(await readFile(path));
  } catch (err) {
    throw new BidwatchError("E_INSPECT_INPUT", `inspect: cannot read ${path}: ${(err as Error).message}`);
  }
}

/** A plan folder (with plan.json), a plan.json file, or a plan id. */
async function planDocAt(arg: string): Promise<PlanDocument | undefined> {
  const file = existsSync(arg) && statSync(arg).isDirectory() ? join(arg, "plan.json") : arg;
  if (!existsSync(file) || !statSync(file).isFile()) return undefined;
  const doc = JSON.parse(await readText(file)) as PlanDocument;
  if (doc.format !== "bidwatch-inspect-plan/1") {
    throw new BidwatchError("E_INSPECT_INPUT", `inspect: ${file} is not a bidwatch inspection plan`);
  }
  return doc;
}

async function planIdOf(arg: string): Promise<string> {
  return (await planDocAt(arg))?.plan_id ?? arg;
}

function commitmentText(doc: PlanDocument): string {
  const p = doc.params;
  return [
    "bidwatch random inspection plan — commitment (双随机抽查 承诺值)",
    "",
    `plan_id:         ${doc.plan_id}`,
    `created_at:      ${doc.created_at}`,
    `commitment:      ${doc.commitment}`,
    `params_hash:     ${doc.params_hash}`,
    `period:          ${p.from} .. ${p.to}`,
    `ratio:           ${p.ratio}`,
    `per_item:        ${p.per_item}`,
    `weights:         risk=${p.weights.risk} sanction=${p.weights.sanction} watch=${p.weights.watch}`,
    `algorithm:       ${p.algorithm}`,
    `n_candidates:    ${p.n_candidates}`,
    `candidates_hash: ${p.candidates_hash}`,
    `population_hash: ${p.population_hash}`,
    `roster_hash:     ${p.roster_hash}`,
    "",
    'commitment = SHA-256(JSON.stringify(["bidwatch-inspect-commit/1", seed, nonce, params_hash]))',
    "The seed and nonce are revealed after the draw; then anyone can recompute the plan:",
    `  bidwatch inspect verify --plan ${doc.plan_id} --seed <seed> --nonce <nonce>`,
    "",
  ].join("\n");
}

function revealText(doc: PlanDocument, r: Reveal): string {
  return [
    `plan_id:     ${doc.plan_id}`,
    `commitment:  ${doc.commitment}`,
    `seed:        ${r.seed}`,
    `nonce:       ${r.nonce}`,
    `revealed_at: ${r.revealed_at ?? ""}`,
    "",
  ].join("\n");
}

async function writePlanFiles(dir: string, doc: PlanDocument): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "plan.json"), `${JSON.stringify(doc, null, 2)}\n`);
  const header = ["item_no", "tender_id", "probability", "weight", "inspectors", "departments"];
  const rows = doc.items.map((i) =>
    csvLine([
      i.item_no,
      i.tender_id,
      i.probability,
      i.weight,
      i.inspectors.join(";"),
      i.departments.join(";"),
    ]),
  );
  await writeFile(join(dir, "plan.csv"), `\uFEFF${csvLine(header)}${rows.join("")}`);
  await writeFile(join(dir, "commitment.txt"), commitmentText(doc));
}

function printReport(r: VerifyReport): void {
  for (const c of r.checks) {
    process.stdout.write(`${c.status.padEnd(7)} ${c.check.padEnd(20)} ${c.detail}\n`);
  }
}

export function registerInspectCommands(program: Command): void {
  const inspect = program
    .command("inspect")
    .description("risk-weighted random inspection plans anyone can verify (双随机一公开)");

  inspect
    .command("roster")
    .description("the roster of certified inspectors")
    .command("load")
    .description("load a roster CSV (name, department, certification, conflicts) and make it current")
    .argument("<file>")
    .option("--db <file>", "database file", DB_DEFAULT)
    .option("--actor <name>", "who acts (default $BIDWATCH_ACTOR)")
    .action(async (file: string, o: { db: string; actor?: string }) => {
      const actor = resolveActor(o.actor);
      const { roster, ignored } = parseRosterCsv(await readText(file), file);
      await withInspectDb(o.db, async (ctx) => {
        const r = await loadRoster(ctx, roster, { actor, source: file });
        if (ignored.length) stderrLogger.warn("roster columns not used (not stored)", { columns: ignored });
        stderrLogger.info("roster loaded", { roster: r.roster_id, inspectors: r.n, known: r.known });
      });
    });

  inspect
    .command("plan")
    .description("draw a risk-weighted inspection plan for a period and publish its commitment")
    .requiredOption("--from <date>", "first day of the period (YYYY-MM-DD)")
    .requiredOption("--to <date>", "last day of the period (YYYY-MM-DD)")
    .requiredOption("--ratio <r>", "share of the period's tenders to draw, e.g. 0.05", numberArg("--ratio"))
    .option("--roster <file>", "roster CSV to load and use (default: the roster loaded last)")
    .option("--per-item <n>", "inspectors per item (≥ 2, from ≥ 2 departments)", intArg("--per-item"), 2)
    .option("--seed <s>", "seed (default: 32 random bytes, kept secret until `inspect reveal`)")
    .option("--risk <file>", "tender_risk.csv of a run, for tenders no alert names")
    .option("--weights <list>", "weight settings, e.g. risk=4,sanction=2,watch=1")
    .requiredOption("--out <dir>", "folder for plan.json, plan.csv, commitment.txt")
    .option("--db <file>", "database file", DB_DEFAULT)
    .option("--actor <name>", "who acts (default $BIDWATCH_ACTOR)")
    .action(
      async (o: {
        from: string;
        to: string;
        ratio: number;
        roster?: string;
        perItem: number;
        seed?: string;
        risk?: string;
        weights?: string;
        out: string;
        db: string;
        actor?: string;
      }) => {
        const actor = resolveActor(o.actor);
        const roster = o.roster
          ? { entries: parseRosterCsv(await readText(o.roster), o.roster).roster, source: o.roster }
          : undefined;
        const tenderRisk = o.risk ? parseTenderRiskCsv(await readText(o.risk), o.risk) : undefined;
        await withInspectDb(o.db, async (ctx) => {
          const { plan, seedGenerated } = await createPlan(ctx, {
            from: o.from,
            to: o.to,
            ratio: o.ratio,
            perItem: o.perItem,
            actor,
            ...(o.seed !== undefined ? { seed: o.seed } : {}),
            ...(roster ? { roster } : {}),
            ...(tenderRisk ? { tenderRisk } : {}),
            ...(o.weights ? { weights: weightsArg(o.weights) } : {}),
          });
          await writePlanFiles(o.out, plan);
          const s = plan.summary;
          process.stdout.write(
            [
              `plan:        ${plan.plan_id}`,
              `commitment:  ${plan.commitment}`,
              `seed:        ${seedGenerated ? `secret until \`bidwatch inspect reveal ${plan.plan_id}\`` : "as given (not stored in the plan files)"}`,
              `drawn:       ${s.n_drawn} of ${s.n_candidates} tenders (${s.realised_share} ≥ ${s.ratio})`,
              `weighting:   risk 1 → ×${s.factors.risk}, sanctioned → ×${s.factors.sanction}, watched → ×${s.factors.watch}; floor π ≥ ${s.probability_floor} (min ${s.min_probability})`,
              ...s.groups
                .filter((g) => g.n > 0)
                .map(
                  (g) =>
                    `  ${g.group.padEnd(12)} n=${String(g.n).padStart(5)}  expected=${g.expected.toFixed(2).padStart(8)}  drawn=${String(g.drawn).padStart(4)}  mean π=${g.mean_probability.toFixed(4)}  ×${g.factor}`,
                ),
              `files:       ${join(o.out, "plan.json")}, plan.csv, commitment.txt`,
              "",
            ].join("\n"),
          );
        });
      },
    );

  inspect
    .command("reveal")
    .description("reveal a plan's seed and nonce so anyone can verify it")
    .argument("<plan>", "plan id or plan folder")
    .option("--out <dir>", "also write reveal.txt and the revealed plan.json here")
    .option("--db <file>", "database file", DB_DEFAULT)
    .option("--actor <name>", "who acts (default $BIDWATCH_ACTOR)")
    .action(async (plan: string, o: { out?: string; db: string; actor?: string }) => {
      const actor = resolveActor(o.actor);
      const id = await planIdOf(plan);
      await withInspectDb(o.db, async (ctx) => {
        const r = await revealPlan(ctx, id, actor);
        const { doc } = await readPlan(ctx.db, id);
        if (o.out) {
          await writePlanFiles(o.out, doc);
          await writeFile(join(o.out, "reveal.txt"), revealText(doc, r));
        }
        process.stdout.write(revealText(doc, r));
      });
    });

  inspect
    .command("verify")
    .description("recompute a plan from its revealed seed; fails on a wrong seed or a changed population")
    .requiredOption("--plan <plan>", "plan folder (plan.json) or plan id (in the database)")
    .requiredOption("--seed <s>", "the revealed seed")
    .option("--nonce <n>", "the revealed nonce (default: from the plan once revealed)")
    .option("--db <file>", `database to compare the population with (default ${DB_DEFAULT} if it exists)`)
    .option("--json", "print the report as JSON")
    .action(async (o: { plan: string; seed: string; nonce?: string; db?: string; json?: boolean }) => {
      const doc = await planDocAt(o.plan);
      const dbPath = o.db ?? (existsSync(DB_DEFAULT) ? DB_DEFAULT : undefined);
      if (dbPath && dbPath !== ":memory:" && !existsSync(dbPath)) {
        throw new BidwatchError("E_INSPECT_INPUT", `inspect: no database ${dbPath}`);
      }
      let report: VerifyReport;
      if (dbPath) {
        report = await withInspectDb(dbPath, (ctx) => verifyWithDb(ctx.db, doc ?? o.plan, o.seed, o.nonce));
      } else {
        if (!doc)
          throw new BidwatchError(
            "E_INSPECT_INPUT",
            `inspect: ${o.plan} is no plan folder and there is no database`,
          );
        report = await verifyWithDb(undefined, doc, o.seed, o.nonce);
      }
      if (o.json) printJson(report);
      else printReport(report);
      if (!report.ok) {
        const bad = report.checks.find((c) => c.status === "fail");
        throw new BidwatchError(
          "E_INSPECT_VERIFY",
          `inspect: plan ${report.plan_id} fails verification (${bad?.check}): ${bad?.detail}`,
        );
      }
      stderrLogger.info("plan verified", { plan: report.plan_id });
    });

  inspect
    .command("record")
    .description("record an inspection result against an item of a plan")
    .argument("<plan>", "plan id or plan folder")
    .argument("<item>", "item number or tender id")
    .requiredOption("--inspector <name>", "inspector on the item's team")
    .requiredOption("--finding <text>", "what the inspection found")
    .requiredOption("--date <date>", "day of the inspection (YYYY-MM-DD)")
    .option("--db <file>", "database file", DB_DEFAULT)
    .option("--actor <name>", "who acts (default $BIDWATCH_ACTOR)")
    .action(
      async (
        plan: string,
        item: string,
        o: { inspector: string; finding: string; date: string; db: string; actor?: string },
      ) => {
        const actor = resolveActor(o.actor);
        const planId = await planIdOf(plan);
        await withInspectDb(o.db, async (ctx) => {
          const r = await recordResult(ctx, {
            planId,
            item,
            inspector: o.inspector,
            finding: o.finding,
            date: o.date,
            actor,
          });
          stderrLogger.info("result recorded", { plan: planId, item: r.item_no, tender: r.tender_id });
        });
      },
    );

  inspect
    .command("publish")
    .description("write the public notice (公示) of a plan's completed items, personal data masked")
    .argument("<plan>", "plan id or plan folder")
    .requiredOption("--out <file>", "notice file (.md or .csv)")
    .option("--format <f>", "md | csv (default: from the file name)")
    .option("--db <file>", "database file", DB_DEFAULT)
    .option("--actor <name>", "who acts (default $BIDWATCH_ACTOR)")
    .action(async (plan: string, o: { out: string; format?: string; db: string; actor?: string }) => {
      if (o.format !== undefined && o.format !== "md" && o.format !== "csv") {
        throw new UsageError("--format must be md or csv");
      }
      const actor = resolveActor(o.actor);
      const planId = await planIdOf(plan);
      await withInspectDb(o.db, async (ctx) => {
        const r = await publishPlan(ctx, planId, o.out, {
          actor,
          ...(o.format ? { format: o.format as NoticeFormat } : {}),
        });
        const overdue = r.progress.filter((p) => p.status === "overdue").length;
        stderrLogger.info("notice written", {
          out: r.path,
          items: r.items.length,
          sha256: r.sha256,
          overdue,
        });
      });
    });

  inspect
    .command("show")
    .description("a plan's items, results and publication deadlines (20 working days after completion)")
    .argument("<plan>", "plan id or plan folder")
    .option("--db <file>", "database file", DB_DEFAULT)
    .option("--json", "print JSON")
    .action(async (plan: string, o: { db: string; json?: boolean }) => {
      const planId = await planIdOf(plan);
      await withInspectDb(o.db, async (ctx) => {
        const s = await planStatus(ctx.db, planId, ctx.clock);
        if (o.json) return printJson(s);
        process.stdout.write(
          `${s.plan_id}  ${s.period.from}..${s.period.to}  ${s.revealed ? "revealed" : "seed secret"}  commitment ${s.commitment}\n`,
        );
        for (const i of s.items) {
          const when =
            i.status === "pending"
              ? ""
              : i.status === "published"
                ? `published, completed ${i.completed_on}`
                : `completed ${i.completed_on}, publish by ${i.due} (${i.working_days_left} working day(s) left)`;
          process.stdout.write(
            `${String(i.item_no).padStart(4)}  ${i.tender_id.padEnd(20)} ${i.status.padEnd(9)} ${i.inspectors.join(", ")}  ${when}\n`,
          );
        }
      });
    });

  inspect
    .command("list")
    .description("inspection plans in the database")
    .option("--db <file>", "database file", DB_DEFAULT)
    .action(async (o: { db: string }) => {
      await withInspectDb(o.db, async (ctx) => {
        for (const p of await listPlans(ctx.db)) {
          process.stdout.write(
            `${p.plan_id}  ${p.period_from}..${p.period_to}  ${p.revealed ? "revealed   " : "seed secret"}  ${p.created_by}  ${p.commitment}\n`,
          );
        }
      });
    });
}
