/**
 * Merges the usable rows of `bw_norm` into a canonical table, by key:
 * - a later row in the same file with the same key: an exact duplicate is skipped, a conflicting one rejected;
 * - a key already stored with identical values: skipped as a duplicate;
 * - a key stored with other values: the old version moves to `<table>_history`, the new one replaces it;
 * - a new key: inserted. Rows derived from another table (tender/firm stubs named in bids) give way silently.
 * Identifiers come from the column table; the only bound value is the file id.
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

/** What `rankRows` found within the file. */
export interface RankCounts {
  readonly dups: number;
  readonly conflicts: number;
}

/**
 * First step of the merge: ranks the file's rows by key and rejects conflicting repeats (`raw` gives the SQL
 * for a staged row's raw text, `Staged.raw`). The last step that reads `bw_stage`, which the caller may drop
 * before `mergeRanked`.
 */
export async function rankRows(
  db: Db,
  table: TableName,
  raw: (alias: string) => string,
): Promise<RankCounts> {
  // Rank rows within their key: `bw_ranked` holds line, key and rank only (the columns stay in `bw_norm`).
  // Only keys repeated in the file need the window and the payload hash (md5 of the row as JSON, the costly
  // part); a key seen once is its own first row, and its `_payload` stays NULL unless the key is stored.
  await db.exec(`CREATE OR REPLACE TEMP TABLE bw_ranked AS
    WITH k AS (
      SELECT n._line, ${keyExpr(table, "n")} AS _key FROM bw_norm n WHERE n._reason IS NULL
    ), d AS (
      SELECT _key FROM k GROUP BY _key HAVING count(*) > 1
    )
    SELECT k._line, k._key, NULL::VARCHAR AS _payload, NULL::VARCHAR AS _first_payload, k._line AS _first_line,
           1::BIGINT AS _rn
    FROM k WHERE NOT EXISTS (SELECT 1 FROM d WHERE d._key IS NOT DISTINCT FROM k._key)
    UNION ALL
    SELECT v._line, v._key, v._payload, first_value(_payload) OVER w AS _first_payload,
           first_value(_line) OVER w AS _first_line, row_number() OVER w AS _rn
    FROM (SELECT n._line, ${keyExpr(table, "n")} AS _key, ${payloadExpr(table, "n")} AS _payload
          FROM bw_norm n
          WHERE n._reason IS NULL AND EXISTS (SELECT 1 FROM d WHERE d._key IS NOT DISTINCT FROM ${keyExpr(table, "n")})) v
    WINDOW w AS (PARTITION BY _key ORDER BY _line)`);

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
  return { dups: inFile?.dups ?? 0, conflicts: inFile?.conflicts ?? 0 };
}

/** Second step of the merge: the first rows of their keys go into the table, by key (see above). */
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

  // `bw_first`: the rows of `bw_norm` that come first for their key (without repeats: every usable row).
  const repeats = inFile.dups + inFile.conflicts > 0;
  await db.exec(
    `CREATE OR REPLACE TEMP VIEW bw_first AS SELECT * FROM bw_norm WHERE _reason IS NULL${
      repeats ? " AND _line IN (SELECT _line FROM bw_ranked WHERE _rn = 1)" : ""
    }`,
  );

  if (HAS_DERIVED.has(table)) {
    await db.exec(
      `DELETE FROM ${t} WHERE _derived AND ${keyExpr(table, t)} IN (SELECT _key FROM bw_ranked WHERE _rn = 1)`,
    );
  }

  // Stored rows are hashed only where the file brings their key; so are the file's rows meeting them.
  await db.exec(`CREATE OR REPLACE TEMP TABLE bw_matched AS
    SELECT r._key, r._line, r._payload, e._payload AS _old_payload
    FROM (SELECT _key, _line, _payload FROM bw_ranked WHERE _rn = 1) r
    LEFT JOIN (SELECT ${keyExpr(table, "x")} AS _key, ${payloadExpr(table, "x")} AS _payload FROM ${t} x
               WHERE ${keyExpr(table, "x")} IN (SELECT _key FROM bw_ranked WHERE _rn = 1)) e
      ON e._key = r._key`);
  const unhashed = await db.one<{ n: number }>(
    "SELECT count(*) AS n FROM bw_matched WHERE _old_payload IS NOT NULL AND _payload IS NULL",
  );
  if ((unhashed?.n ?? 0) > 0) {
    await db.exec(`UPDATE bw_matched SET _payload = p._payload
      FROM (SELECT n._line, ${payloadExpr(table, "n")} AS _payload FROM bw_norm n
            WHERE n._line IN (SELECT _line FROM bw_matched WHERE _old_payload IS NOT NULL AND _payload IS NULL)) p
      WHERE bw_matched._line = p._line`);
  }
  const m = await db.one<{ inserted: number; updated: number; same: number }>(
    `SELECT count(*) FILTER (WHERE _old_payload IS NULL) AS inserted,
            count(*) FILTER (WHERE _old_payload IS NOT NULL AND _old_payload <> _payload) AS updated,
            count(*) FILTER (WHERE _old_payload = _payload) AS same FROM bw_matched`,
  );

  if ((m?.updated ?? 0) > 0) {
    await db.exec(
      `CREATE OR REPLACE TEMP TABLE bw_changed AS SELECT _key FROM bw_matched WHERE _old_payload <> _payload`,
    );
    await db.exec(
      `INSERT INTO ${hist} SELECT x.*, $file AS _superseded_by_file FROM ${t} x
       WHERE ${keyExpr(table, "x")} IN (SELECT _key FROM bw_changed)`,
      { file: fileId },
    );
    await db.exec(`DELETE FROM ${t} WHERE ${keyExpr(table, t)} IN (SELECT _key FROM bw_changed)`);
  }
  // New and changed rows go in, in file order (when every first row is new, no join is needed).
  const allNew = (m?.updated ?? 0) + (m?.same ?? 0) === 0;
  await db.exec(
    `INSERT INTO ${t} (${colList}, _file_id, _line)
     SELECT ${cols.map((c) => `f.${c}`).join(", ")}, $file, f._line
     FROM bw_first f${
       allNew
         ? ""
         : " WHERE f._line IN (SELECT _line FROM bw_matched WHERE _old_payload IS NULL OR _old_payload <> _payload)"
     }
     ORDER BY f._line`,
    { file: fileId },
  );
  return {
    inserted: m?.inserted ?? 0,
    updated: m?.updated ?? 0,
    duplicates: inFile.dups + (m?.same ?? 0),
    conflicts: inFile.conflicts,
  };
}

/**
 * Tenders and firms named in a bids file but absent from their tables get derived stub rows, filled from
 * the tender- and firm-level columns of the bids (denormalised exports). A real row later replaces them.
 */
export async function deriveFromBids(db: Db, fileId: number): Promise<void> {
  const tenderCols = COLUMNS.tenders
    .filter((c) => c.name !== "tender_id" && c.name !== "title")
    .map((c) => ident(c.name));
  await db.exec(
    `INSERT INTO tenders (tender_id, ${tenderCols.join(", ")}, _file_id, _line, _derived)
     SELECT tender_id, ${tenderCols.map((c) => `arg_min(${c}, _line) FILTER (WHERE ${c} IS NOT NULL)`).join(", ")}, $file, min(_line), true
     FROM bw_first WHERE tender_id NOT IN (SELECT tender_id FROM tenders)
     GROUP BY tender_id`,
    { file: fileId },
  );
  await db.exec(
    `INSERT INTO firms (firm_id, name, _file_id, _line, _derived)
     SELECT firm_id, arg_min(firm_name, _line) FILTER (WHERE firm_name IS NOT NULL), $file, min(_line), true
     FROM bw_first WHERE firm_id NOT IN (SELECT firm_id FROM firms)
     GROUP BY firm_id`,
    { file: fileId },
  );
}
