/**
 * Ingest of a platform export batch (contract §1). All files are sniffed and their headers checked
 * before anything loads; the whole batch then loads in one transaction, so a file that cannot be read
 * leaves the database as it was. Per file: read = loaded + rejected + duplicates.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Db, ident } from "../db/duckdb.ts";
import { InputFileError } from "../errors.ts";
import { noProgress, type Progress } from "../progress.ts";
import { LOAD_ORDER, type TableName } from "./columns.ts";
import { type InputFile, resolveInputs, sniffFile, transcodeToUtf8 } from "./files.ts";
import { type HeaderMapping, mapHeaders, tableOfFile } from "./headers.ts";
import { deriveFromBids, mergeRanked, rankRows } from "./merge.ts";
import {
  type FirmIdMode,
  type IdCheckResult,
  INVALID_ID_LIST_MAX,
  idChecks,
  normaliseSql,
} from "./normalise.ts";
import { dropStage, stageFile } from "./stage.ts";

export interface IngestOptions {
  readonly firmIds?: FirmIdMode;
  readonly runId?: number;
  /** Clock for `ingested_at` (injected for determinism). */
  readonly now?: () => Date;
  /** Progress: one step per file. */
  readonly progress?: Progress;
}

export interface FileReport {
  readonly file: string;
  readonly path: string;
  readonly table: TableName;
  readonly format: string;
  readonly encoding: string;
  readonly sha256: string;
  /** `loaded`, or `already_ingested` when the same content was ingested before (nothing new is loaded). */
  readonly status: "loaded" | "already_ingested";
  readonly file_id: number;
  readonly read: number;
  readonly loaded: number;
  readonly updated: number;
  readonly rejected: number;
  readonly duplicates: number;
  readonly ignored_columns: readonly string[];
}

/** Structural rejects per INSERT statement. */
const REJECT_BATCH = 2000;

interface Planned {
  readonly file: InputFile;
  readonly table: TableName;
  readonly previous?: { file_id: number };
}

export async function ingest(
  db: Db,
  inputs: readonly string[],
  options: IngestOptions = {},
): Promise<FileReport[]> {
  const firmIds = options.firmIds ?? "uscc";
  const now = options.now ?? (() => new Date());
  const paths = await resolveInputs(inputs);
  if (paths.length === 0) throw new InputFileError("E_NO_FILE", inputs.join(", "), "no input files found");

  // 1. Sniff every file (hash, format, encoding) and decide its table, before touching the database.
  const planned: Planned[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    const file = await sniffFile(path);
    const table = tableOfFile(file.name);
    if (!table) {
      throw new InputFileError(
        "E_UNKNOWN_TABLE",
        file.name,
        `unknown table "${file.name}": expected one of tenders, bids, firms, firm_people, sanctions`,
      );
    }
    if (seen.has(file.sha256)) continue; // the same content given twice in one batch
    seen.add(file.sha256);
    const previous = await db.one<{ file_id: number }>(
      "SELECT min(file_id) AS file_id FROM ingest_files WHERE sha256 = $h HAVING count(*) > 0",
      { h: file.sha256 },
    );
    planned.push({ file, table, ...(previous ? { previous } : {}) });
  }
  planned.sort(
    (a, b) =>
      LOAD_ORDER.indexOf(a.table) - LOAD_ORDER.indexOf(b.table) || a.file.name.localeCompare(b.file.name),
  );

  const tmp = await mkdtemp(join(tmpdir(), "bidwatch-ingest-"));
  try {
    const reports: FileReport[] = [];
    const task = (options.progress ?? noProgress).start("ingest", planned.length);
    try {
      await db.transaction(async () => {
        for (const p of planned) {
          task.tick(0, p.file.name);
          reports.push(
            p.previous
              ? await previousReport(db, p)
              : await loadFile(db, p, tmp, firmIds, options.runId, now),
          );
          task.tick(1);
        }
      });
    } finally {
      task.done();
    }
    return reports;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Runs `fn` on one DuckDB thread, then restores the thread count. For the statement creating `bw_norm`: on
 * all threads, DuckDB writes a CREATE TABLE AS in numbered batches that it merges afterwards to keep the row
 * order. Measured on the 2-core bench machine (issue 5, 1M bids), that was no faster than one thread when the
 * machine was otherwise idle, and took about twice the time and CPU when other work was running. (Before the
 * credit-code and label checks lost their joins, DuckDB ran this statement on one thread anyway.)
 */
async function singleThreaded<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const threads = (await db.one<{ t: number }>("SELECT current_setting('threads')::INTEGER AS t"))?.t ?? 1;
  if (!Number.isInteger(threads) || threads <= 1) return fn();
  await db.exec("SET threads = 1");
  try {
    return await fn();
  } finally {
    await db.exec(`SET threads = ${threads}`);
  }
}

async function previousReport(db: Db, p: Planned): Promise<FileReport> {
  const prev = await db.one<{ file_id: number; ignored_columns: string[] | null }>(
    "SELECT file_id, ignored_columns FROM ingest_files WHERE file_id = $id",
    { id: p.previous?.file_id ?? 0 },
  );
  return {
    file: p.file.name,
    path: p.file.path,
    table: p.table,
    format: p.file.format,
    encoding: p.file.encoding,
    sha256: p.file.sha256,
    status: "already_ingested",
    file_id: prev?.file_id ?? 0,
    read: 0,
    loaded: 0,
    updated: 0,
    rejected: 0,
    duplicates: 0,
    ignored_columns: prev?.ignored_columns ?? [],
  };
}

async function loadFile(
  db: Db,
  p: Planned,
  tmp: string,
  firmIds: FirmIdMode,
  runId: number | undefined,
  now: () => Date,
): Promise<FileReport> {
  const { file, table } = p;
  let textPath = file.path;
  if (file.encoding === "gb18030" || file.encoding === "utf-16le" || file.encoding === "utf-16be") {
    textPath = join(tmp, `${file.sha256}.${file.format === "csv" ? "csv" : "json"}`);
    await transcodeToUtf8(file, textPath);
  }
  const staged = await stageFile(db, file, textPath);
  const mapping: HeaderMapping = mapHeaders(table, staged.headers);
  if (mapping.missing.length > 0) {
    throw new InputFileError(
      "E_MISSING_COLUMN",
      file.name,
      `no required column ${mapping.missing.map((m) => `"${m}"`).join(", ")} for table ${table} (headers: ${staged.headers.join(", ")})`,
    );
  }
  const fileIdRow = await db.one<{ id: number }>("SELECT nextval('file_id_seq')::INTEGER AS id");
  const fileId = fileIdRow?.id ?? 0;

  const checks: IdCheckResult[] = [];
  for (const check of idChecks(table, mapping.columns, firmIds)) {
    await db.exec(check.sql);
    const invalid = (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${ident(check.table)}`))?.n ?? 0;
    const ids =
      invalid > 0 && invalid <= INVALID_ID_LIST_MAX
        ? (await db.all<{ u: string }>(`SELECT u FROM ${ident(check.table)} ORDER BY u`)).map((r) => r.u)
        : undefined;
    checks.push({ ...check, invalid, ...(ids ? { ids } : {}) });
  }
  const norm = normaliseSql(table, mapping.columns, firmIds, checks);
  await singleThreaded(db, () =>
    db.exec(norm.sql, Object.keys(norm.params).length > 0 ? norm.params : undefined),
  );
  for (const check of checks) await db.exec(`DROP TABLE ${ident(check.table)}`);
  await db.exec("CREATE OR REPLACE TEMP TABLE bw_file_rejects (line BIGINT, reason VARCHAR, raw VARCHAR)");
  const invalid = await db.one<{ n: number }>("SELECT count(*) AS n FROM bw_norm WHERE _reason IS NOT NULL");
  if ((invalid?.n ?? 0) > 0) {
    await db.exec(
      `INSERT INTO bw_file_rejects SELECT n._line, n._reason, ${staged.raw("s")}
       FROM bw_norm n JOIN bw_stage s ON s._line = n._line WHERE n._reason IS NOT NULL`,
    );
  }
  // Records the reader could not split: bound as JSON, a batch per statement (not a statement per row).
  for (let i = 0; i < staged.rejects.length; i += REJECT_BATCH) {
    const rows = staged.rejects.slice(i, i + REJECT_BATCH).map((r) => ({ ...r, raw: r.raw ?? "" }));
    await db.exec(
      `INSERT INTO bw_file_rejects SELECT line, reason, raw FROM (SELECT unnest(json_transform($rows::JSON,
         '[{"line": "BIGINT", "reason": "VARCHAR", "raw": "VARCHAR"}]'), recursive := true))`,
      { rows: JSON.stringify(rows) },
    );
  }
  const ranked = await rankRows(db, table, staged.raw);
  await dropStage(db); // the file's text is no longer needed: free it before the merge writes the table
  const counts = await mergeRanked(db, table, fileId, ranked);
  if (table === "bids") await deriveFromBids(db, fileId);

  const rejected = (await db.one<{ n: number }>("SELECT count(*) AS n FROM bw_file_rejects"))?.n ?? 0;
  await db.exec(
    `INSERT INTO rejects SELECT $file_id, $name, line, $table, reason, raw FROM bw_file_rejects ORDER BY line`,
    { file_id: fileId, name: file.name, table },
  );
  const report: FileReport = {
    file: file.name,
    path: file.path,
    table,
    format: file.format,
    encoding: file.encoding,
    sha256: file.sha256,
    status: "loaded",
    file_id: fileId,
    read: staged.read,
    loaded: counts.inserted + counts.updated,
    updated: counts.updated,
    rejected,
    duplicates: counts.duplicates,
    ignored_columns: mapping.ignored,
  };
  if (report.read !== report.loaded + report.rejected + report.duplicates) {
    throw new InputFileError(
      "E_RECONCILE",
      file.name,
      `counts do not reconcile: read ${report.read} ≠ loaded ${report.loaded} + rejected ${report.rejected} + duplicates ${report.duplicates}`,
    );
  }
  await db.exec(
    `INSERT INTO ingest_files VALUES ($id, $run, $path, $name, $table, $format, $encoding, $sha, $size,
       $read, $loaded, $updated, $rejected, $dups, from_json($ignored, '["VARCHAR"]'), $at::TIMESTAMPTZ)`,
    {
      id: fileId,
      run: runId ?? null,
      path: file.path,
      name: file.name,
      table,
      format: file.format,
      encoding: file.encoding,
      sha: file.sha256,
      size: file.size,
      read: report.read,
      loaded: report.loaded,
      updated: report.updated,
      rejected,
      dups: report.duplicates,
      ignored: JSON.stringify(mapping.ignored),
      at: now().toISOString(),
    },
  );
  await dropStage(db);
  await db.exec(
    "DROP TABLE IF EXISTS bw_norm; DROP TABLE IF EXISTS bw_ranked; DROP TABLE IF EXISTS bw_matched",
  );
  return report;
}
