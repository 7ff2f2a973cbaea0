-- The partitioned run (pipelines/partitioned.ts, docs/scale-out.md): which tenders go to which partition,
-- the slices written for the workers, and the workers' tender-local tables loaded back.

-- name: assign
-- Every tender id (of `tenders`, and of `bids` too, so that no bid is left out) with its partition key:
-- region × month of publication in local time (the session time zone is Asia/Shanghai), or `_` when the
-- tender has no region or no publication time. `part` numbers the keys in key order, from 1.
CREATE OR REPLACE TEMP TABLE bw_part_tenders AS
WITH ids AS (
  SELECT tender_id FROM tenders UNION SELECT tender_id FROM bids
), keyed AS (
  SELECT
    i.tender_id,
    min(CASE WHEN t.region IS NOT NULL AND t.published_at IS NOT NULL
             THEN t.region || '/' || strftime(t.published_at, '%Y-%m') ELSE '_' END) AS pkey
  FROM ids i LEFT JOIN tenders t USING (tender_id)
  GROUP BY i.tender_id
)
SELECT tender_id, pkey, dense_rank() OVER (ORDER BY pkey)::INTEGER AS part FROM keyed;

-- name: partitions
-- One row per partition: its number, key, and its rows of tenders and of bids (what its slice holds), in
-- partition order.
SELECT p.part, p.pkey AS key, coalesce(sum(t.n), 0)::INTEGER AS tenders, coalesce(sum(b.n), 0)::INTEGER AS bids
FROM bw_part_tenders p
LEFT JOIN (SELECT tender_id, count(*) AS n FROM tenders GROUP BY tender_id) t USING (tender_id)
LEFT JOIN (SELECT tender_id, count(*) AS n FROM bids GROUP BY tender_id) b USING (tender_id)
GROUP BY p.part, p.pkey
ORDER BY p.part;

-- name: slice_views
-- What a slice holds: a partition's rows of tenders, and of its tenders' bids only the columns the tender-local
-- SQL reads (screen-stage.sql, process.sql, price-pattern.sql). The identifiers (IP, MAC, file hash,
-- accounts…) are most of the bytes of bids and only the global phase reads them. A tender-local statement
-- that starts reading another bids column fails on the worker, naming it: add it here.
CREATE OR REPLACE TEMP VIEW bw_slice_tenders AS
SELECT p.part, t.* FROM tenders t JOIN bw_part_tenders p USING (tender_id);
CREATE OR REPLACE TEMP VIEW bw_slice_bids AS
SELECT p.part, b.tender_id, b.bid_id, b.firm_id, b.price, b.submitted_at, b.is_winner, b.disqualified,
       b.disqualify_reason
FROM bids b JOIN bw_part_tenders p USING (tender_id);

-- name: write_tenders
-- Every partition's slice of a table in one pass, one folder per partition (part=NNNNN; the column itself is
-- not written into the files), sorted so that a slice's files are the same from run to run. $width
-- zero-pads the partition number so folders sort in partition order.
COPY (
  SELECT lpad(CAST(part AS VARCHAR), $width, '0') AS part, * EXCLUDE (part)
  FROM bw_slice_tenders ORDER BY part, tender_id
) TO $dir (FORMAT parquet, PARTITION_BY (part));

-- name: write_bids
COPY (
  SELECT lpad(CAST(part AS VARCHAR), $width, '0') AS part, * EXCLUDE (part)
  FROM bw_slice_bids ORDER BY part, tender_id, bid_id
) TO $dir (FORMAT parquet, PARTITION_BY (part));

-- name: write_empty
-- A partition without rows of a table still gets a file, with the slice's columns and no rows.
-- {{table}} is bw_slice_tenders or bw_slice_bids.
COPY (SELECT * EXCLUDE (part) FROM {{table}} WHERE false) TO $file (FORMAT parquet);

-- name: drop_assign
DROP VIEW IF EXISTS bw_slice_tenders;
DROP VIEW IF EXISTS bw_slice_bids;
DROP TABLE IF EXISTS bw_part_tenders;

-- name: load_table
-- A table from Parquet files, in the order listed: a worker loads its slice into its own (in-memory)
-- database, the coordinator the workers' results into its own. Folder names look like Hive partitions,
-- so hive_partitioning is off: no `part` column is added. {{table}} is an ident()-quoted name.
CREATE OR REPLACE TABLE {{table}} AS SELECT * FROM read_parquet($files, hive_partitioning = false);

-- name: write_table
COPY (SELECT * FROM {{table}}) TO $file (FORMAT parquet);

-- name: count_table
SELECT count(*)::INTEGER AS n FROM {{table}};
