/**
 * Sample-data generator: writes a realistic platform export (tenders, bids, firms, firm_people,
 * sanctions) with planted collusion rings, noise traps, sanction breaches and optional bad rows,
 * plus _truth.json. Streams tender by tender, so 1M tenders fit in a small, fixed amount of memory
 * beyond the world itself. Same options → byte-identical files. See docs/generator.md.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BidwatchError } from "../errors.ts";
import type { TableName } from "../ingest/columns.ts";
import { type BadRowTruth, badBidRecord, badRowSlot } from "./bad-rows.ts";
import { type CsvEncoding, CsvWriter } from "./csv-writer.ts";
import {
  bidRecord,
  fields,
  firmPeopleRecords,
  firmRecord,
  type HeaderStyle,
  header,
  sanctionRecord,
  tenderRecord,
} from "./render.ts";
import { buildWorld } from "./scenario.ts";
import { type Breach, generateTender } from "./tender.ts";
import { buildTruth } from "./truth.ts";

export interface GenerateOptions {
  tenders: number;
  seed: number;
  bidsEncoding?: "utf8" | "gbk";
  headers?: "canonical" | "zh";
  badRows?: number;
}

export interface GenerateSummary {
  files: string[];
  tenders: number;
  bids: number;
  firms: number;
  rings: number;
  badRows: number;
}

/** Largest supported export (one-off upload IPs stay unique up to 2^27 / 16 tenders). */
export const MAX_TENDERS = 8_000_000;

const OPTION_KEYS = new Set(["tenders", "seed", "bidsEncoding", "headers", "badRows"]);

function optionsError(message: string): BidwatchError {
  return new BidwatchError("E_GENERATE_OPTIONS", `generate: ${message}`);
}

function checkOptions(options: GenerateOptions): Required<GenerateOptions> {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw optionsError(`unknown option "${key}"`);
  }
  const { tenders, seed, bidsEncoding = "utf8", headers = "canonical", badRows = 0 } = options;
  if (!Number.isInteger(tenders) || tenders < 1 || tenders > MAX_TENDERS) {
    throw optionsError(`tenders must be an integer from 1 to ${MAX_TENDERS}, got ${tenders}`);
  }
  if (!Number.isSafeInteger(seed)) throw optionsError(`seed must be a safe integer, got ${seed}`);
  if (bidsEncoding !== "utf8" && bidsEncoding !== "gbk") {
    throw optionsError(`bidsEncoding must be "utf8" or "gbk", got "${bidsEncoding}"`);
  }
  if (headers !== "canonical" && headers !== "zh") {
    throw optionsError(`headers must be "canonical" or "zh", got "${headers}"`);
  }
  if (!Number.isInteger(badRows) || badRows < 0)
    throw optionsError(`badRows must be an integer ≥ 0, got ${badRows}`);
  return { tenders, seed, bidsEncoding, headers, badRows };
}

function open(
  outDir: string,
  table: TableName,
  style: HeaderStyle,
  encoding: CsvEncoding = "utf8",
): CsvWriter {
  return CsvWriter.open(join(outDir, `${table}.csv`), header(table, style), encoding);
}

/** Writes a generated export into `outDir` (created if missing) and returns what was written. */
export async function generateExport(options: GenerateOptions, outDir: string): Promise<GenerateSummary> {
  const opts = checkOptions(options);
  const style = opts.headers;
  await mkdir(outDir, { recursive: true });
  const world = buildWorld(opts.tenders, opts.seed);

  const writers = {
    tenders: open(outDir, "tenders", style),
    bids: open(outDir, "bids", style, opts.bidsEncoding),
    firms: open(outDir, "firms", style),
    firm_people: open(outDir, "firm_people", style),
    sanctions: open(outDir, "sanctions", style),
  };
  const all = Object.values(writers);
  const breaches: Breach[] = [];
  const badRows: BadRowTruth[] = [];
  let bids = 0;
  try {
    for (const f of world.firms) {
      writers.firms.row(fields("firms", firmRecord(f)));
      for (const p of firmPeopleRecords(f, style)) writers.firm_people.row(fields("firm_people", p));
      if (f.index % 1024 === 1023) await Promise.all([writers.firms.flush(), writers.firm_people.flush()]);
    }
    for (const s of world.sanctions) writers.sanctions.row(fields("sanctions", sanctionRecord(s)));

    let nextBad = 0;
    for (let i = 0; i < opts.tenders; i++) {
      const t = generateTender(world, i);
      writers.tenders.row(fields("tenders", tenderRecord(t, style)));
      for (const b of t.bids) writers.bids.row(fields("bids", bidRecord(world, t, b, style)));
      bids += t.bids.length;
      for (const br of t.breaches) breaches.push(br);
      while (nextBad < opts.badRows && badRowSlot(nextBad, opts.badRows, opts.tenders) === i) {
        const bad = badBidRecord(world, t, nextBad, style);
        const line = writers.bids.row(fields("bids", bad.row));
        badRows.push({ file: "bids.csv", line, kind: bad.kind });
        nextBad++;
      }
      if (i % 64 === 63) await Promise.all([writers.tenders.flush(), writers.bids.flush()]);
    }
    await Promise.all(all.map((w) => w.close()));
  } catch (err) {
    for (const w of all) w.destroy();
    throw err;
  }

  const truth = buildTruth(world, bids, breaches, badRows);
  const truthPath = join(outDir, "_truth.json");
  await writeFile(truthPath, `${JSON.stringify(truth, null, 2)}\n`, "utf8");

  return {
    files: [
      ...(["tenders", "bids", "firms", "firm_people", "sanctions"] as const).map((t) =>
        join(outDir, `${t}.csv`),
      ),
      truthPath,
    ],
    tenders: opts.tenders,
    bids,
    firms: world.firms.length,
    rings: world.rings.length,
    badRows: badRows.length,
  };
}

export type { Truth } from "./truth.ts";
