/**
 * Stages one input file into the temp table `bw_stage`: `_line` (record number in the file; for CSV
 * the header is line 1), `_raw` (the record as JSON text) and one VARCHAR column per source header.
 * Records the reader itself cannot split into fields are returned as structural rejects.
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
  await db.exec(q("csv_lines"));
  const rejects = (
    await db.all<{ line: number; reason: string; raw: string | null }>(q("csv_structural_rejects"))
  ).map((r) => ({ line: r.line, reason: `malformed CSV record: ${r.reason}`, raw: r.raw }));
  const headers = (await db.all<{ column_name: string }>("DESCRIBE bw_csv_raw")).map((r) => r.column_name);
  const n = await count(db, "bw_stage");
  await db.exec(
    "DROP TABLE bw_csv_raw; DROP TABLE IF EXISTS bw_csv_rejects; DROP TABLE IF EXISTS bw_csv_scan",
  );
  return { headers, read: n + rejects.length, rejects };
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
    `CREATE OR REPLACE TEMP TABLE bw_stage AS SELECT _line, l AS _raw${cols.length ? ", " : ""}${cols.join(", ")} FROM bw_json_good`,
    params,
  );
  const n = await count(db, "bw_stage");
  await db.exec("DROP TABLE bw_json_lines; DROP TABLE bw_json_good");
  return { headers, read: n + rejects.length, rejects };
}

async function stageParquet(db: Db, path: string): Promise<Staged> {
  const described = await db.all<{ column_name: string }>("DESCRIBE SELECT * FROM read_parquet($path)", {
    path,
  });
  const headers = described.map((r) => r.column_name);
  const cols = headers.map((h) => `${ident(h)}::VARCHAR AS ${ident(h)}`);
  await db.exec(
    `CREATE OR REPLACE TEMP TABLE bw_stage AS
     SELECT (file_row_number + 1)::BIGINT AS _line, to_json(struct_pack(${headers.map((h) => `${ident(h)} := ${ident(h)}`).join(", ")}))::VARCHAR AS _raw,
            ${cols.join(", ")}
     FROM read_parquet($path, file_row_number = true)`,
    { path },
  );
  return { headers, read: await count(db, "bw_stage"), rejects: [] };
}

async function count(db: Db, table: string): Promise<number> {
  const row = await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${ident(table)}`);
  return row?.n ?? 0;
}
