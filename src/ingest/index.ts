/**
 * Ingest of a platform export batch (contract §1). All files are sniffed first; each is then read, checked
 * and normalised into temp tables (outside the transaction where it reads no stored table), and the whole
 * batch loads in one transaction, so a file that cannot be read leaves the database as it was. Per file:
 * read = loaded + rejected + duplicates.
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
import { deriveFromBids, mergeRanked, type RankCounts, rankRows } from "./merge.ts";
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
  const prepared = new Map<Planned, Prepared>();
  try {
    const reports: FileReport[] = [];
    const task = (options.progress ?? noProgress).start("ingest", planned.length);
    try {
      // 2. Files whose reading and normalising touch no stored table are prepared before the transaction
      // (temp tables only). DuckDB scans data written inside an open transaction on one thread, and
      // committed temp tables on all of them: normalising and inserting a million bids this way took
      // about half the wall time (issue 5).
      for (const [i, p] of planned.entries()) {
        if (p.previous || READS_STORED_TABLES.has(p.table)) continue;
        task.tick(0, p.file.name);
        prepared.set(p, await prepareFile(db, p, tmp, firmIds, i));
      }
      // 3. The batch loads in one transaction, in load order.
      await db.transaction(async () => {
        for (const [i, p] of planned.entries()) {
          task.tick(0, p.file.name);
          if (p.previous) {
            reports.push(await previousReport(db, p));
          } else {
            // Temp tables made here go with the transaction if it rolls back.
            const ready = prepared.get(p) ?? (await prepareFile(db, p, tmp, firmIds, i));
            reports.push(await loadPrepared(db, ready, options.runId, now));
          }
          task.tick(1);
        }
      });
    } catch (err) {
      // Temp tables made outside the transaction outlive its rollback.
      await dropLeftovers(db, [...prepared.values()]).catch(() => undefined);
      throw err;
    } finally {
      task.done();
    }
    return reports;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Tables whose normalisation reads stored tables (sanctions: is a subject without a type a firm the firms table
 * knows?). Their files are prepared inside the load transaction, after the files loaded before them.
 */
const READS_STORED_TABLES: ReadonlySet<TableName> = new Set(["sanctions"]);

/**
 * A file read, normalised and ranked, waiting to be merged: its usable and rejected rows are in `bw_norm_<slot>`,
 * the rejects found so far in `bw_file_rejects_<slot>` (both temporary).
 */
interface Prepared {
  readonly p: Planned;
  readonly slot: number;
  readonly read: number;
  readonly mapping: HeaderMapping;
  readonly ranked: RankCounts;
}

const slotTables = (slot: number) => ({ norm: `bw_norm_${slot}`, rejects: `bw_file_rejects_${slot}` });

/** Drops the prepared files' temp tables and whatever a failed preparation left behind. */
async function dropLeftovers(db: Db, files: readonly Prepared[]): Promise<void> {
  await dropStage(db);
  const tables = ["bw_norm", "bw_file_rejects", "bw_ranked", "bw_repeated", "bw_matched"];
  for (const f of files) tables.push(...Object.values(slotTables(f.slot)));
  const checks = await db.all<{ t: string }>(
    "SELECT table_name AS t FROM duckdb_tables() WHERE temporary AND regexp_full_match(table_name, 'bw_(bad_)?ids[0-9]+')",
  );
  tables.push(...checks.map((c) => c.t));
  await db.exec(tables.map((t) => `DROP TABLE IF EXISTS ${ident(t)}`).join("; "));
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

/**
 * Reads, normalises and ranks one file into temp tables (`slotTables`), collecting its rejects; writes nothing
 * stored. Outside a transaction its statements run on all threads.
 */
async function prepareFile(
  db: Db,
  p: Planned,
  tmp: string,
  firmIds: FirmIdMode,
  slot: number,
): Promise<Prepared> {
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
  await db.exec(norm.sql, Object.keys(norm.params).length > 0 ? norm.params : undefined);
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
  const t = slotTables(slot);
  await db.exec(
    `ALTER TABLE bw_norm RENAME TO ${ident(t.norm)}; ALTER TABLE bw_file_rejects RENAME TO ${ident(t.rejects)};
     DROP TABLE IF EXISTS bw_ranked`,
  );
  return { p, slot, read: staged.read, mapping, ranked };
}

/** Merges a prepared file into its table and records its rejects and its `ingest_files` row. */
async function loadPrepared(
  db: Db,
  prepared: Prepared,
  runId: number | undefined,
  now: () => Date,
): Promise<FileReport> {
  const { p, mapping, ranked } = prepared;
  const { file, table } = p;
  const t = slotTables(prepared.slot);
  await db.exec(
    `ALTER TABLE ${ident(t.norm)} RENAME TO bw_norm; ALTER TABLE ${ident(t.rejects)} RENAME TO bw_file_rejects`,
  );
  const fileIdRow = await db.one<{ id: number }>("SELECT nextval('file_id_seq')::INTEGER AS id");
  const fileId = fileIdRow?.id ?? 0;
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
    read: prepared.read,
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
  await db.exec(
    "DROP TABLE IF EXISTS bw_norm; DROP TABLE IF EXISTS bw_file_rejects; DROP TABLE IF EXISTS bw_matched",
  );
  return report;
}
