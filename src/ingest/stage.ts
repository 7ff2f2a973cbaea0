/**
 * Stages one input file as the temp view `bw_stage`: `_line` (record number in the file; for CSV
 * the header is line 1) and one VARCHAR column per source header, over a temp table holding the file.
 * The record as JSON text (what rejects keep) is not materialised for every row: `Staged.raw` gives the
 * SQL that computes it from a staged row, for the few rows that need it. Records the reader itself cannot
 * split into fields are returned as structural rejects.
 * DuckDB does all parsing: read_csv (sniffed dialect), read_text + json functions, read_parquet.
 */
import { type Db, ident, sqlSection } from "../db/duckdb.ts";
import { InputFileError } from "../errors.ts";
import type { InputFile } from "./files.ts";

export interface StructuralReject {
  readonly line: number;
  readonly reason: string;
  readonly raw: string | null;
}

export interface Staged {
  /** Source headers in file order. */
  readonly headers: string[];
  /** Records read, including structural rejects. */
  readonly read: number;
  readonly rejects: StructuralReject[];
  /** SQL for the record as JSON text, given the alias of a `bw_stage` row (e.g. `raw("s")`). */
  readonly raw: (alias: string) => string;
}

/** Tables behind `bw_stage` (all temporary). */
const STAGE_TABLES = ["bw_csv_raw", "bw_csv_rejk", "bw_stage_data"];

/** Drops `bw_stage` and the tables behind it. */
export async function dropStage(db: Db): Promise<void> {
  await db.exec(
    `DROP VIEW IF EXISTS bw_stage; ${STAGE_TABLES.map((t) => `DROP TABLE IF EXISTS ${t}`).join("; ")}`,
  );
}

const q = (name: string) => sqlSection(import.meta.url, "stage.sql", name);

/** `textPath` is the file itself, or its UTF-8 transcoded copy. */
export async function stageFile(db: Db, file: InputFile, textPath: string): Promise<Staged> {
  try {
    switch (file.format) {
      case "csv":
        return await stageCsv(db, textPath);
      case "ndjson":
      case "json":
        return await stageJson(db, file, textPath);
      case "parquet":
        return await stageParquet(db, file.path);
    }
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    const msg = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new InputFileError("E_PARSE", file.name, `cannot be read as ${file.format}: ${msg}`);
  }
}

async function stageCsv(db: Db, path: string): Promise<Staged> {
  await db.exec("DROP TABLE IF EXISTS bw_csv_rejects; DROP TABLE IF EXISTS bw_csv_scan");
  await db.exec(
    `CREATE OR REPLACE TEMP TABLE bw_csv_raw AS SELECT * FROM read_csv($path, header = true, all_varchar = true,
       store_rejects = true, rejects_table = 'bw_csv_rejects', rejects_scan = 'bw_csv_scan')`,
    { path },
  );
  const rejects = (
    await db.all<{ line: number; reason: string; raw: string | null }>(q("csv_structural_rejects"))
  ).map((r) => ({ line: r.line, reason: `malformed CSV record: ${r.reason}`, raw: r.raw }));
  await db.exec(q("csv_first_rowid"));
  if (rejects.length > 0) {
    await db.exec(q("csv_reject_offsets"));
    await db.exec(q("csv_lines"));
  } else {
    await db.exec(q("csv_lines_clean"));
  }
  const headers = (await db.all<{ column_name: string }>("DESCRIBE bw_csv_raw")).map((r) => r.column_name);
  const n = await count(db, "bw_csv_raw");
  await db.exec("DROP TABLE IF EXISTS bw_csv_rejects; DROP TABLE IF EXISTS bw_csv_scan");
  // The record as a struct of its columns, in file order (what to_json of the row gives).
  const raw = (a: string) =>
    `to_json(struct_pack(${headers.map((h) => `${ident(h)} := ${a}.${ident(h)}`).join(", ")}))::VARCHAR`;
  return { headers, read: n + rejects.length, rejects, raw };
}

async function stageJson(db: Db, file: InputFile, path: string): Promise<Staged> {
  if (file.format === "ndjson") {
    await db.exec(q("ndjson_lines"), { path });
    await db.exec(q("ndjson_drop_blank"));
  } else {
    await db.exec(
      "CREATE OR REPLACE TEMP TABLE bw_json_raw AS SELECT json FROM read_json_objects($path, format = 'array')",
      { path },
    );
    await db.exec(q("json_array_lines"));
    await db.exec("DROP TABLE bw_json_raw");
  }
  const bad = await db.all<{ line: number; raw: string | null }>(q("json_bad_lines"));
  const rejects = bad.map((r) => ({ line: r.line, reason: "record is not a JSON object", raw: r.raw }));
  const headers = (await db.all<{ k: string }>(q("json_keys"))).map((r) => r.k);
  await db.exec(q("json_good_lines"));
  // One column per key; paths are bound parameters, column names quoted identifiers.
  const params: Record<string, string> = {};
  const cols = headers.map((h, i) => {
    params[`p${i}`] = `$."${h.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
    return `json_extract_string(l::JSON, $p${i}) AS ${ident(h)}`;
  });
  await db.exec(
    `CREATE OR REPLACE TEMP TABLE bw_stage_data AS SELECT _line, l AS _raw${cols.length ? ", " : ""}${cols.join(", ")} FROM bw_json_good`,
    params,
  );
  await db.exec("CREATE TEMP VIEW bw_stage AS SELECT * FROM bw_stage_data");
  const n = await count(db, "bw_stage_data");
  await db.exec("DROP TABLE bw_json_lines; DROP TABLE bw_json_good");
  return { headers, read: n + rejects.length, rejects, raw: (a) => `${a}._raw` };
}

async function stageParquet(db: Db, path: string): Promise<Staged> {
  const described = await db.all<{ column_name: string }>("DESCRIBE SELECT * FROM read_parquet($path)", {
    path,
  });
  const headers = described.map((r) => r.column_name);
  const cols = headers.map((h) => `${ident(h)}::VARCHAR AS ${ident(h)}`);
  await db.exec(
    `CREATE OR REPLACE TEMP TABLE bw_stage_data AS
     SELECT (file_row_number + 1)::BIGINT AS _line, to_json(struct_pack(${headers.map((h) => `${ident(h)} := ${ident(h)}`).join(", ")}))::VARCHAR AS _raw,
            ${cols.join(", ")}
     FROM read_parquet($path, file_row_number = true)`,
    { path },
  );
  await db.exec("CREATE TEMP VIEW bw_stage AS SELECT * FROM bw_stage_data");
  return { headers, read: await count(db, "bw_stage_data"), rejects: [], raw: (a) => `${a}._raw` };
}

async function count(db: Db, table: string): Promise<number> {
  const row = await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${ident(table)}`);
  return row?.n ?? 0;
}
