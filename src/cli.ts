/** The `bidwatch` command line. Wires real effects (DuckDB file, clock, stderr logger) into the pipelines. */
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { runPipeline } from "../pipelines/run.ts";
import { Db } from "./db/duckdb.ts";
import { BidwatchError, UsageError } from "./errors.ts";
import type { Logger } from "./types.ts";

export const stderrLogger: Logger = {
  info: (msg, fields) => process.stderr.write(`bidwatch: ${msg}${fmt(fields)}\n`),
  warn: (msg, fields) => process.stderr.write(`bidwatch: warning: ${msg}${fmt(fields)}\n`),
};

function fmt(fields?: Record<string, unknown>): string {
  if (!fields) return "";
  return ` ${Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ")}`;
}

function intArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a non-negative integer");
  return n;
}

function program(): Command {
  const cmd = new Command("bidwatch")
    .description(
      "Finds bid rigging (围标串标) in public-resource trading exports and ranks evidenced alerts.",
    )
    .exitOverride()
    .showHelpAfterError();

  cmd
    .command("run")
    .description("ingest an export batch, compute features, detect, and write alerts and reports")
    .argument("<inputs...>", "export files or folders (tenders, bids, firms, firm_people, sanctions)")
    .option("--db <file>", "DuckDB database file (created if missing)", "bidwatch.duckdb")
    .option("--out <dir>", "output folder", "out")
    .option(
      "--firm-ids <mode>",
      "firm id check: uscc (GB 32100-2015 credit codes) or any (platform ids)",
      "uscc",
    )
    .action(async (inputs: string[], opts: { db: string; out: string; firmIds: string; redis?: string }) => {
      if (opts.firmIds !== "uscc" && opts.firmIds !== "any") {
        throw new UsageError(`--firm-ids must be "uscc" or "any", not "${opts.firmIds}"`);
      }
      if (opts.db !== ":memory:") await mkdir(dirname(opts.db), { recursive: true });
      const db = await Db.open(opts.db);
      try {
        const { summary } = await runPipeline(
          {
            inputs,
            outDir: opts.out,
            firmIds: opts.firmIds,
            ...((opts.redis ?? process.env.REDIS_URL) ? { redisUrl: opts.redis ?? process.env.REDIS_URL } : {}),
          },
          { db, clock: { now: () => new Date() }, logger: stderrLogger },
        );
        stderrLogger.info("run complete", {
          out: opts.out,
          loaded: summary.totals.loaded,
          rejected: summary.totals.rejected,
          alerts: summary.alerts.total,
        });
      } finally {
        db.close();
      }
    });

  cmd
    .command("generate")
    .description("write a realistic synthetic export with planted collusion rings and ground truth")
    .requiredOption("--tenders <n>", "number of tenders", intArg)
    .option("--seed <s>", "random seed", intArg, 1)
    .requiredOption("--out <dir>", "output folder")
    .option("--bids-encoding <enc>", "utf8 or gbk", "utf8")
    .option("--headers <style>", "canonical or zh (Chinese platform headers)", "canonical")
    .option("--bad-rows <n>", "inject this many bad rows into bids", intArg, 0)
    .action(
      async (opts: {
        tenders: number;
        seed: number;
        out: string;
        bidsEncoding: string;
        headers: string;
        badRows: number;
      }) => {
        if (opts.bidsEncoding !== "utf8" && opts.bidsEncoding !== "gbk") {
          throw new UsageError("--bids-encoding must be utf8 or gbk");
        }
        if (opts.headers !== "canonical" && opts.headers !== "zh") {
          throw new UsageError("--headers must be canonical or zh");
        }
        const { generateExport } = await import("./generate/index.ts");
        const s = await generateExport(
          {
            tenders: opts.tenders,
            seed: opts.seed,
            bidsEncoding: opts.bidsEncoding,
            headers: opts.headers,
            badRows: opts.badRows,
          },
          opts.out,
        );
        stderrLogger.info("generated", {
          out: opts.out,
          tenders: s.tenders,
          bids: s.bids,
          firms: s.firms,
          rings: s.rings,
        });
      },
    );

  return cmd;
}

/** Runs the CLI; returns the process exit code (0 ok, 1 input/run error, 2 usage error). */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await program().parseAsync([...argv], { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof BidwatchError) {
      process.stderr.write(`bidwatch: error ${err.code}: ${err.message}\n`);
      return err.code === "E_USAGE" ? 2 : 1;
    }
    throw err;
  }
}
