-- Loading the labelled datasets of García Rodríguez et al. (2022) for `bidwatch eval`
-- (../shared/data/garcia-rodriguez-2022/README.md; quirks handled per file below).
-- Every file is read with all columns as text and only the needed columns are cast, so a sentinel or an
-- odd value in a column we do not use (Brazil's null-date sentinel, Switzerland's day index) cannot
-- break type detection. Bound parameter: $path.

-- name: raw
CREATE OR REPLACE TABLE real_raw AS
SELECT * FROM read_csv($path, header = true, all_varchar = true, auto_detect = true);

-- Per dataset: one row per bid as the screens need it (tender_id, price, is_winner, ceiling_price),
-- plus the tender-level label and the published bid count.

-- name: bids_brazil
-- Brazil (Petrobras): Bid_value and the PTE are in reais. The `Date` column holds the null-date
-- sentinel -9223372037 in 2 tenders; it is not used.
CREATE OR REPLACE TABLE real_bids AS
SELECT CAST("Tender" AS VARCHAR) AS tender_id,
       CAST("Bid_value" AS DOUBLE) AS price,
       CAST("Winner" AS DOUBLE) = 1 AS is_winner,
       CAST("Pre-Tender Estimate (PTE)" AS DOUBLE) AS ceiling_price,
       CAST("Collusive_competitor" AS INTEGER) AS label,
       CAST("Number_bids" AS INTEGER) AS number_bids
FROM real_raw;

-- name: bids_italy
-- Italy (Turin, average-bid auctions): Bid_value = PTE × (100 − rebate %), i.e. 100× the euro amount;
-- divided by 100 so that price / PTE is the bid-to-estimate ratio. The winner is never the lowest bid
-- and two tenders have no winner: no screen uses the winner.
CREATE OR REPLACE TABLE real_bids AS
SELECT CAST("Tender" AS VARCHAR) AS tender_id,
       CAST("Bid_value" AS DOUBLE) / 100 AS price,
       CAST("Winner" AS DOUBLE) = 1 AS is_winner,
       CAST("Pre-Tender Estimate (PTE)" AS DOUBLE) AS ceiling_price,
       CAST("Collusive_competitor" AS INTEGER) AS label,
       CAST("Number_bids" AS INTEGER) AS number_bids
FROM real_raw;

-- name: bids_japan
-- Japan: Bid_value and the PTE in yen. `Difference Bid/PTE` is 1.05 × Bid/PTE (consumption tax) and is
-- not used: price / PTE is taken from the two amounts directly (a constant factor would not change any
-- rank-based metric anyway).
CREATE OR REPLACE TABLE real_bids AS
SELECT CAST("Tender" AS VARCHAR) AS tender_id,
       CAST("Bid_value" AS DOUBLE) AS price,
       CAST("Winner" AS DOUBLE) = 1 AS is_winner,
       CAST("Pre-Tender Estimate (PTE)" AS DOUBLE) AS ceiling_price,
       CAST("Collusive_competitor" AS INTEGER) AS label,
       CAST("Number_bids" AS INTEGER) AS number_bids
FROM real_raw;

-- name: bids_switzerland
-- Switzerland (Graubünden + See-Gaster): no PTE, so no ceiling; `Date` is a day index (not used);
-- 58 tenders have 2–4 winners (joint awards; no screen uses the winner); `Winner` is written 0.0 / 1.0.
CREATE OR REPLACE TABLE real_bids AS
SELECT CAST("Tender" AS VARCHAR) AS tender_id,
       CAST("Bid_value" AS DOUBLE) AS price,
       CAST("Winner" AS DOUBLE) = 1 AS is_winner,
       CAST(NULL AS DOUBLE) AS ceiling_price,
       CAST(CAST("Collusive_competitor" AS DOUBLE) AS INTEGER) AS label,
       CAST("Number_bids" AS INTEGER) AS number_bids
FROM real_raw;

-- name: screen_bids
CREATE OR REPLACE TABLE screen_bids AS
SELECT tender_id, price, is_winner, ceiling_price FROM real_bids;

-- name: tender_labels
-- The tender-level label: `Collusive_competitor`, the same on every bid of a tender (checked: n_labels).
CREATE OR REPLACE TABLE real_tenders AS
SELECT tender_id,
       count(DISTINCT label) AS n_labels,
       max(label) AS label,
       count(*) AS n_rows,
       max(number_bids) AS number_bids,
       count(*) FILTER (WHERE is_winner) AS n_winners
FROM real_bids
GROUP BY tender_id;

-- name: summary
SELECT count(*) AS bids,
       count(DISTINCT tender_id) AS tenders,
       (SELECT count(*) FROM real_tenders WHERE label = 1) AS collusive_tenders,
       (SELECT count(*) FROM real_tenders WHERE n_labels > 1) AS mixed_label_tenders,
       (SELECT count(*) FROM real_tenders WHERE n_rows <> number_bids) AS bid_count_mismatches
FROM real_bids;

-- name: tender_rows
-- One row per tender with its label, ordered by tender id (numeric ids sort numerically).
SELECT t.tender_id, t.label
FROM real_tenders t
ORDER BY TRY_CAST(t.tender_id AS BIGINT), t.tender_id;

-- Reading a run's outputs back (generated scenarios of `bidwatch eval`).

-- name: tender_risk_csv
-- tender_risk.csv as the pipeline writes it (UTF-8 with BOM, header row); only the columns the evaluation needs.
SELECT CAST(tender_id AS VARCHAR) AS tender_id, CAST(risk_score AS DOUBLE) AS risk_score
FROM read_csv($path, header = true, all_varchar = true)
ORDER BY tender_id;
