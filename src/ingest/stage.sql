-- name: csv_reject_offsets
-- Accepted CSV records get their record number (header = line 1), skipping the lines DuckDB's reader
-- rejected (wrong column count): record k (0-based) is line k + 2 + #rejected lines before it, i.e.
-- + c of the last k0 ≤ k below (k0: the k of the first accepted record after a rejected line).
CREATE OR REPLACE TEMP TABLE bw_csv_rejk AS
WITH rej AS (
  SELECT DISTINCT line FROM bw_csv_rejects
), rejk AS (
  SELECT line - 2 - (row_number() OVER (ORDER BY line) - 1) AS k0 FROM rej
)
SELECT k0, (sum(count(*)) OVER (ORDER BY k0))::BIGINT AS c FROM rejk GROUP BY k0;

-- name: csv_first_rowid
-- The rowid of the table's first record, kept in a session variable for the views below: getvariable() is a
-- constant when a statement is bound, whereas `(SELECT min(rowid) FROM bw_csv_raw)` inside the view joins
-- the one-row subquery to every row read (a cross product copying every column; about 0.5 s of the 3.5 s
-- that normalising a million bids took, issue 5). Rowids of a table created in an open transaction do not
-- start at 0, hence the offset.
SET VARIABLE bw_csv_rowid0 = (SELECT min(rowid) FROM bw_csv_raw);

-- name: csv_lines
-- The staged view of a CSV file with rejected lines. The reader keeps file order
-- (preserve_insertion_order), so k is the rowid's offset in the table (csv_first_rowid first).
CREATE TEMP VIEW bw_stage AS
SELECT r._bw_k + 2 + coalesce(o.c, 0) AS _line, r.* EXCLUDE (_bw_k)
FROM (SELECT rowid - getvariable('bw_csv_rowid0') AS _bw_k, * FROM bw_csv_raw) r
ASOF LEFT JOIN bw_csv_rejk o ON r._bw_k >= o.k0;

-- name: csv_lines_clean
-- The staged view of a CSV file the reader accepted whole: record k (0-based) is line k + 2
-- (csv_first_rowid first).
CREATE TEMP VIEW bw_stage AS
SELECT rowid - getvariable('bw_csv_rowid0') + 2 AS _line, * FROM bw_csv_raw;

-- name: csv_structural_rejects
SELECT DISTINCT ON (line) line::BIGINT AS line, error_message AS reason, csv_line AS raw
FROM bw_csv_rejects ORDER BY line;

-- name: ndjson_lines
CREATE OR REPLACE TEMP TABLE bw_json_lines AS
SELECT t.i::BIGINT AS _line,
       trim(CASE WHEN t.i = 1 THEN ltrim(t.l, chr(65279)) ELSE t.l END, chr(13) || ' ' || chr(9)) AS l
FROM (SELECT content FROM read_text($path)) f,
     unnest(string_split(f.content, chr(10))) WITH ORDINALITY AS t(l, i);

-- name: ndjson_drop_blank
DELETE FROM bw_json_lines WHERE l = '';

-- name: json_array_lines
CREATE OR REPLACE TEMP TABLE bw_json_lines AS
SELECT (rowid - (SELECT min(rowid) FROM bw_json_raw) + 1)::BIGINT AS _line, json::VARCHAR AS l FROM bw_json_raw;

-- name: json_bad_lines
SELECT _line AS line, l AS raw FROM bw_json_lines
WHERE NOT bw_json_object(l) ORDER BY _line;

-- name: json_keys
-- Keys in order of first appearance.
SELECT k FROM (
  SELECT unnest(json_keys(l::JSON)) AS k, _line FROM bw_json_lines
  WHERE bw_json_object(l)
) GROUP BY k ORDER BY min(_line), k;

-- name: json_good_lines
CREATE OR REPLACE TEMP TABLE bw_json_good AS
SELECT _line, l FROM bw_json_lines WHERE bw_json_object(l);
