/**
 * Merges the usable rows of `bw_norm` into a canonical table, by key:
 * - a later row in the same file with the same key: an exact duplicate is skipped, a conflicting one rejected;
 * - a key already stored with identical values: skipped as a duplicate;
 * - a key stored with other values: the old version moves to `<table>_history`, the new one replaces it;
 * - a new key: inserted. Rows derived from another table (tender/firm stubs named in bids) give way silently.
 * Identifiers come from the column table; the only bound value is the file id.
 *
 * Set-based, in few passes over the file: only keys repeated within the file are ranked and hashed, and only
 * keys already stored are compared (none when the table is empty).
 */
import { type Db, ident } from "../db/duckdb.ts";
import { COLUMNS, TABLE_KEYS, type TableName } from "./columns.ts";

export interface MergeCounts {
  inserted: number;
  updated: number;
  duplicates: number;
  conflicts: number;
}

const HAS_DERIVED: ReadonlySet<TableName> = new Set(["tenders", "firms"]);

function keyExpr(table: TableName, alias: string): string {
  const keys = TABLE_KEYS[table].map((k) => `${alias}.${ident(k)}`);
  return keys.length === 1
    ? `${keys[0]}::VARCHAR`
    : `concat_ws(chr(31), ${keys.map((k) => `coalesce(${k}::VARCHAR, '')`).join(", ")})`;
}

function payloadExpr(table: TableName, alias: string): string {
  const cols = COLUMNS[table].map((c) => `${ident(c.name)} := ${alias}.${ident(c.name)}`);
  return `md5(to_json(struct_pack(${cols.join(", ")}))::VARCHAR)`;
}

async function count(db: Db, sql: string): Promise<number> {
  return (await db.one<{ n: number }>(sql))?.n ?? 0;
}

/** What `rankRows` found within the file. */
export interface RankCounts {
  readonly dups: number;
  readonly conflicts: number;
}

/**
 * First step of the merge: finds keys repeated within the file, rejects conflicting repeats (`raw` gives the
 * SQL for a staged row's raw text, `Staged.raw`) and drops every repeat from `bw_norm`, leaving the first row
 * of each key. The last step that reads `bw_stage`, which the caller may drop before `mergeRanked`.
 */
export async function rankRows(
  db: Db,
  table: TableName,
  raw: (alias: string) => string,
): Promise<RankCounts> {
  // Only keys repeated in the file need ranking and the payload hash (md5 of the row as JSON, the costly part).
  await db.exec(`CREATE OR REPLACE TEMP TABLE bw_repeated AS
    SELECT ${keyExpr(table, "n")} AS _key FROM bw_norm n WHERE n._reason IS NULL GROUP BY ALL HAVING count(*) > 1`);
  const repeated = await count(db, "SELECT count(*) AS n FROM bw_repeated");
  if (repeated === 0) {
    await db.exec("DROP TABLE bw_repeated");
    return { dups: 0, conflicts: 0 };
  }
  // `bw_ranked`: the rows of repeated keys, ranked within their key in line order.
  await db.exec(`CREATE OR REPLACE TEMP TABLE bw_ranked AS
    SELECT v._line, v._key, v._payload, first_value(_payload) OVER w AS _first_payload,
           first_value(_line) OVER w AS _first_line, row_number() OVER w AS _rn
    FROM (SELECT n._line, ${keyExpr(table, "n")} AS _key, ${payloadExpr(table, "n")} AS _payload
          FROM bw_norm n
          WHERE n._reason IS NULL
            AND EXISTS (SELECT 1 FROM bw_repeated d WHERE d._key IS NOT DISTINCT FROM ${keyExpr(table, "n")})) v
    WINDOW w AS (PARTITION BY _key ORDER BY _line);
    DROP TABLE bw_repeated`);

  const inFile = await db.one<{ dups: number; conflicts: number }>(
    `SELECT count(*) FILTER (WHERE _rn > 1 AND _payload = _first_payload) AS dups,
            count(*) FILTER (WHERE _rn > 1 AND _payload <> _first_payload) AS conflicts FROM bw_ranked`,
  );
  // Conflicting repeats of a key within the file become rejects.
  if ((inFile?.conflicts ?? 0) > 0) {
    const keyNames = TABLE_KEYS[table].join("+");
    await db.exec(
      `INSERT INTO bw_file_rejects
       SELECT r._line, 'duplicate key ' || ${`'${keyNames}'`} || ' "' || replace(r._key, chr(31), '/') || '" conflicts with line ' || r._first_line, ${raw("s")}
       FROM bw_ranked r JOIN bw_stage s ON s._line = r._line WHERE r._rn > 1 AND r._payload <> r._first_payload`,
    );
  }
  await db.exec("DELETE FROM bw_norm WHERE _line IN (SELECT _line FROM bw_ranked WHERE _rn > 1)");
  return { dups: inFile?.dups ?? 0, conflicts: inFile?.conflicts ?? 0 };
}

/**
 * Second step of the merge: the first rows of their keys (the usable rows `rankRows` left in `bw_norm`) go
 * into the table, by key (see above).
 */
export async function mergeRanked(
  db: Db,
  table: TableName,
  fileId: number,
  inFile: RankCounts,
): Promise<MergeCounts> {
  const t = ident(table);
  const hist = ident(`${table}_history`);
  const cols = COLUMNS[table].map((c) => ident(c.name));
  const colList = cols.join(", ");
  const fileKeys = `SELECT ${keyExpr(table, "n")} FROM bw_norm n WHERE n._reason IS NULL`;

  if (HAS_DERIVED.has(table)) {
    await db.exec(`DELETE FROM ${t} WHERE _derived AND ${keyExpr(table, t)} IN (${fileKeys})`);
  }

  // The file's rows whose key is stored, with both versions hashed; there are none when the table is empty.
  const stored = await count(db, `SELECT count(*) AS n FROM ${t}`);
  let updated = 0;
  let same = 0;
  if (stored > 0) {
    await db.exec(`CREATE OR REPLACE TEMP TABLE bw_matched AS
      SELECT n._line, e._key, ${payloadExpr(table, "n")} AS _payload, e._payload AS _old_payload
      FROM (SELECT ${keyExpr(table, "x")} AS _key, ${payloadExpr(table, "x")} AS _payload FROM ${t} x
            WHERE ${keyExpr(table, "x")} IN (${fileKeys})) e
      JOIN bw_norm n ON ${keyExpr(table, "n")} = e._key
      WHERE n._reason IS NULL`);
    const m = await db.one<{ updated: number; same: number }>(
      `SELECT count(*) FILTER (WHERE _old_payload <> _payload) AS updated,
              count(*) FILTER (WHERE _old_payload = _payload) AS same FROM bw_matched`,
    );
    updated = m?.updated ?? 0;
    same = m?.same ?? 0;
  }
  const firsts = await count(db, "SELECT count(*) AS n FROM bw_norm WHERE _reason IS NULL");

  if (updated > 0) {
    await db.exec(
      `CREATE OR REPLACE TEMP TABLE bw_changed AS SELECT _key FROM bw_matched WHERE _old_payload <> _payload`,
    );
    // The old versions, in the order they were stored (the join alone does not keep it).
    await db.exec(
      `INSERT INTO ${hist} SELECT x.*, $file AS _superseded_by_file FROM ${t} x
       WHERE ${keyExpr(table, "x")} IN (SELECT _key FROM bw_changed) ORDER BY x.rowid`,
      { file: fileId },
    );
    await db.exec(`DELETE FROM ${t} WHERE ${keyExpr(table, t)} IN (SELECT _key FROM bw_changed)`);
    await db.exec("DROP TABLE bw_changed");
  }
  // New and changed rows go in, in line order (rows identical to the stored ones stay out). A scan of one table
  // with a filter keeps the table's order (DuckDB's order preservation), so the sort of the whole file is left
  // out when `bw_norm` is already in line order; the subquery of `same > 0` (a join) keeps no order.
  const sort = same > 0 || !(await inLineOrder(db));
  const insert = () =>
    db.exec(
      `INSERT INTO ${t} (${colList}, _file_id, _line)
       SELECT ${cols.map((c) => `n.${c}`).join(", ")}, $file, n._line FROM bw_norm n WHERE n._reason IS NULL${
         same > 0 ? " AND n._line NOT IN (SELECT _line FROM bw_matched WHERE _old_payload = _payload)" : ""
       }${sort ? " ORDER BY n._line" : ""}`,
      { file: fileId },
    );
  await (FSST_ONLY.has(table) ? withoutDictionary(db, insert) : insert());
  return {
    inserted: firsts - updated - same,
    updated,
    duplicates: inFile.dups + same,
    conflicts: inFile.conflicts,
  };
}

/**
 * Whether the rows of `bw_norm` are stored in line order (each `_line` above the one before). `lag … OVER ()`
 * reads the table in its stored order (a streaming window; one pass over one column).
 */
async function inLineOrder(db: Db): Promise<boolean> {
  const disorder = await count(
    db,
    "SELECT count(*) FILTER (WHERE _line <= _prev) AS n FROM (SELECT _line, lag(_line) OVER () AS _prev FROM bw_norm)",
  );
  return disorder === 0;
}

/**
 * Tables whose string columns DuckDB stores with FSST rather than a dictionary when left to choose (most values of
 * a bid are distinct: ids, hashes, devices, accounts). Trying both cost about as much as compressing (issue 5,
 * generated 1M bids: ~2 s of CPU of the ~6 s insert); with FSST only, the file is the same size (1,347 blocks
 * against 1,346) and only tender_id's segments, which a dictionary took 13 times out of 19, change method.
 */
const FSST_ONLY: ReadonlySet<TableName> = new Set(["bids"]);

/** Runs `fn` with DuckDB's dictionary compression off (see `FSST_ONLY`), then restores the setting. */
async function withoutDictionary<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const was =
    (await db.one<{ v: string }>("SELECT current_setting('disabled_compression_methods')::VARCHAR AS v"))
      ?.v ?? "";
  const methods = was
    .split(",")
    .map((m) => m.trim().toLowerCase())
    .filter((m) => m !== "");
  if (methods.includes("dictionary")) return fn();
  await db.exec("SET disabled_compression_methods = $m", { m: [...methods, "dictionary"].join(",") });
  try {
    return await fn();
  } finally {
    await db.exec("SET disabled_compression_methods = $m", { m: was });
  }
}

/**
 * Tenders and firms named in a bids file but absent from their tables get derived stub rows, filled from
 * the tender- and firm-level columns of the bids (denormalised exports). A real row later replaces them.
 * Reads the first rows of the file's keys (`bw_norm` after `rankRows`), as stored or not.
 */
export async function deriveFromBids(db: Db, fileId: number): Promise<void> {
  const tenderCols = COLUMNS.tenders
    .filter((c) => c.name !== "tender_id" && c.name !== "title")
    .map((c) => ident(c.name));
  await db.exec(
    `INSERT INTO tenders (tender_id, ${tenderCols.join(", ")}, _file_id, _line, _derived)
     SELECT tender_id, ${tenderCols.map((c) => `arg_min(${c}, _line) FILTER (WHERE ${c} IS NOT NULL)`).join(", ")}, $file, min(_line), true
     FROM bw_norm WHERE _reason IS NULL AND tender_id NOT IN (SELECT tender_id FROM tenders)
     GROUP BY tender_id`,
    { file: fileId },
  );
  await db.exec(
    `INSERT INTO firms (firm_id, name, _file_id, _line, _derived)
     SELECT firm_id, arg_min(firm_name, _line) FILTER (WHERE firm_name IS NOT NULL), $file, min(_line), true
     FROM bw_norm WHERE _reason IS NULL AND firm_id NOT IN (SELECT firm_id FROM firms)
     GROUP BY firm_id`,
    { file: fileId },
  );
}
