-- Per-tender price screens (formulas, references and conventions: docs/screens.md).
-- Input: {{source}}(tender_id VARCHAR, price DOUBLE, is_winner BOOLEAN, ceiling_price DOUBLE), one row per
-- valid bid. `{{source}}` is replaced by the wrapper with an ident()-quoted table name.
-- Undefined screens are NULL, never NaN or Infinity.

-- name: tender_screens
CREATE OR REPLACE TABLE tender_screens AS
WITH bids AS (
  SELECT CAST(tender_id AS VARCHAR) AS tender_id, CAST(price AS DOUBLE) AS price,
         CAST(ceiling_price AS DOUBLE) AS ceiling_price
  FROM {{source}}
  WHERE tender_id IS NOT NULL AND price IS NOT NULL AND isfinite(price)
),
ranked AS (
  SELECT
    tender_id, price, ceiling_price,
    -- Ties get distinct ranks in arbitrary order; every use below depends only on the sorted values.
    row_number() OVER w_sorted AS rk,
    count(*) OVER w AS n,
    avg(price) OVER w AS mean_p,
    min(price) OVER w AS min_p,
    max(price) OVER w AS max_p,
    count(*) OVER (PARTITION BY tender_id, price) AS n_same,
    lead(price, 1) OVER w_sorted AS next1,
    lead(price, 2) OVER w_sorted AS next2,
    lead(price, 3) OVER w_sorted AS next3
  FROM bids
  WINDOW w AS (PARTITION BY tender_id), w_sorted AS (PARTITION BY tender_id ORDER BY price)
),
per_tender AS (
  SELECT
    tender_id,
    count(*) AS n,
    any_value(mean_p) AS mean_p,
    any_value(min_p) AS min_p,
    any_value(max_p) AS max_p,
    stddev_samp(price) AS sd,
    -- Central moments about the tender mean (population form); numerically stable for large prices.
    avg((price - mean_p) ^ 2) AS m2,
    avg((price - mean_p) ^ 3) AS m3,
    avg((price - mean_p) ^ 4) AS m4,
    max(price) FILTER (WHERE rk = 2) AS b2,
    min(price) FILTER (WHERE price > min_p) AS b2_distinct,
    stddev_samp(price) FILTER (WHERE price < max_p) AS sd_below_max,
    stddev_samp(price) FILTER (WHERE rk > 1) AS sd_losing,
    -- Two-sided Kolmogorov–Smirnov D of the bids against U(min, max), scipy.stats.kstest style.
    max(greatest(
      CAST(rk AS DOUBLE) / n - (price - min_p) / nullif(max_p - min_p, 0),
      (price - min_p) / nullif(max_p - min_p, 0) - CAST(rk - 1 AS DOUBLE) / n
    )) AS ks,
    count(*) FILTER (WHERE n_same > 1) AS n_identical,
    stddev_samp(next1 - price) AS gap_sd,
    avg(next1 - price) AS gap_mean,
    stddev_samp(CASE WHEN price > 0 THEN next1 / price - 1 END) AS ratio_sd,
    avg(CASE WHEN price > 0 THEN next1 / price - 1 END) AS ratio_mean,
    max(ceiling_price) AS ceiling
  FROM ranked
  GROUP BY tender_id
),
-- Subsets for incomplete cartels: every window of 3 and of 4 bids that are consecutive in price rank.
subsets AS (
  SELECT tender_id, 3 AS k, [price, next1, next2] AS s FROM ranked WHERE next2 IS NOT NULL
  UNION ALL
  SELECT tender_id, 4 AS k, [price, next1, next2, next3] AS s FROM ranked WHERE next3 IS NOT NULL
),
subset_screens AS (
  SELECT
    tender_id,
    k,
    CASE WHEN s[1] > 0 THEN
      CASE WHEN s[k] = s[1] THEN 0.0 ELSE list_stddev_samp(s) / list_avg(s) END
    END AS cv,
    CASE WHEN s[1] > 0 THEN (s[k] - s[1]) / s[1] END AS spd,
    CASE WHEN s[1] > 0 THEN (s[2] - s[1]) / s[1] END AS diffp,
    CASE WHEN s[k] > s[2] THEN (s[2] - s[1]) / list_stddev_samp(s[2:]) END AS rd
  FROM subsets
),
-- Per tender and subset size: min, median and max of each subset screen. The median is
-- quantile_cont(x, 0.5) computed from the sorted non-NULL values (middle value, or lo·½ + hi·½ of the two
-- middle ones: DuckDB's interpolation lo·(1 − d) + hi·d at d = ½, bit for bit), which costs less than the
-- holistic aggregate.
subset_lists AS (
  SELECT
    tender_id,
    min(cv) FILTER (WHERE k = 3) AS sub3_cv_min,
    list(cv) FILTER (WHERE k = 3) AS l3_cv,
    max(cv) FILTER (WHERE k = 3) AS sub3_cv_max,
    min(spd) FILTER (WHERE k = 3) AS sub3_spd_min,
    list(spd) FILTER (WHERE k = 3) AS l3_spd,
    max(spd) FILTER (WHERE k = 3) AS sub3_spd_max,
    min(diffp) FILTER (WHERE k = 3) AS sub3_diffp_min,
    list(diffp) FILTER (WHERE k = 3) AS l3_diffp,
    max(diffp) FILTER (WHERE k = 3) AS sub3_diffp_max,
    min(rd) FILTER (WHERE k = 3) AS sub3_rd_min,
    list(rd) FILTER (WHERE k = 3) AS l3_rd,
    max(rd) FILTER (WHERE k = 3) AS sub3_rd_max,
    min(cv) FILTER (WHERE k = 4) AS sub4_cv_min,
    list(cv) FILTER (WHERE k = 4) AS l4_cv,
    max(cv) FILTER (WHERE k = 4) AS sub4_cv_max,
    min(spd) FILTER (WHERE k = 4) AS sub4_spd_min,
    list(spd) FILTER (WHERE k = 4) AS l4_spd,
    max(spd) FILTER (WHERE k = 4) AS sub4_spd_max,
    min(diffp) FILTER (WHERE k = 4) AS sub4_diffp_min,
    list(diffp) FILTER (WHERE k = 4) AS l4_diffp,
    max(diffp) FILTER (WHERE k = 4) AS sub4_diffp_max,
    min(rd) FILTER (WHERE k = 4) AS sub4_rd_min,
    list(rd) FILTER (WHERE k = 4) AS l4_rd,
    max(rd) FILTER (WHERE k = 4) AS sub4_rd_max
  FROM subset_screens
  GROUP BY tender_id
),
subset_sorted AS (
  SELECT
    * EXCLUDE (l3_cv, l3_spd, l3_diffp, l3_rd, l4_cv, l4_spd, l4_diffp, l4_rd),
    list_sort(list_filter(l3_cv, v -> v IS NOT NULL)) AS s3_cv,
    list_sort(list_filter(l3_spd, v -> v IS NOT NULL)) AS s3_spd,
    list_sort(list_filter(l3_diffp, v -> v IS NOT NULL)) AS s3_diffp,
    list_sort(list_filter(l3_rd, v -> v IS NOT NULL)) AS s3_rd,
    list_sort(list_filter(l4_cv, v -> v IS NOT NULL)) AS s4_cv,
    list_sort(list_filter(l4_spd, v -> v IS NOT NULL)) AS s4_spd,
    list_sort(list_filter(l4_diffp, v -> v IS NOT NULL)) AS s4_diffp,
    list_sort(list_filter(l4_rd, v -> v IS NOT NULL)) AS s4_rd
  FROM subset_lists
),
subset_summary AS (
  SELECT
    tender_id,
    sub3_cv_min,
    CASE WHEN len(s3_cv) = 0 THEN NULL WHEN len(s3_cv) % 2 = 1 THEN s3_cv[(len(s3_cv) + 1) // 2]
      ELSE s3_cv[len(s3_cv) // 2] * 0.5 + s3_cv[len(s3_cv) // 2 + 1] * 0.5 END AS sub3_cv_med,
    sub3_cv_max,
    sub3_spd_min,
    CASE WHEN len(s3_spd) = 0 THEN NULL WHEN len(s3_spd) % 2 = 1 THEN s3_spd[(len(s3_spd) + 1) // 2]
      ELSE s3_spd[len(s3_spd) // 2] * 0.5 + s3_spd[len(s3_spd) // 2 + 1] * 0.5 END AS sub3_spd_med,
    sub3_spd_max,
    sub3_diffp_min,
    CASE WHEN len(s3_diffp) = 0 THEN NULL WHEN len(s3_diffp) % 2 = 1 THEN s3_diffp[(len(s3_diffp) + 1) // 2]
      ELSE s3_diffp[len(s3_diffp) // 2] * 0.5 + s3_diffp[len(s3_diffp) // 2 + 1] * 0.5 END AS sub3_diffp_med,
    sub3_diffp_max,
    sub3_rd_min,
    CASE WHEN len(s3_rd) = 0 THEN NULL WHEN len(s3_rd) % 2 = 1 THEN s3_rd[(len(s3_rd) + 1) // 2]
      ELSE s3_rd[len(s3_rd) // 2] * 0.5 + s3_rd[len(s3_rd) // 2 + 1] * 0.5 END AS sub3_rd_med,
    sub3_rd_max,
    sub4_cv_min,
    CASE WHEN len(s4_cv) = 0 THEN NULL WHEN len(s4_cv) % 2 = 1 THEN s4_cv[(len(s4_cv) + 1) // 2]
      ELSE s4_cv[len(s4_cv) // 2] * 0.5 + s4_cv[len(s4_cv) // 2 + 1] * 0.5 END AS sub4_cv_med,
    sub4_cv_max,
    sub4_spd_min,
    CASE WHEN len(s4_spd) = 0 THEN NULL WHEN len(s4_spd) % 2 = 1 THEN s4_spd[(len(s4_spd) + 1) // 2]
      ELSE s4_spd[len(s4_spd) // 2] * 0.5 + s4_spd[len(s4_spd) // 2 + 1] * 0.5 END AS sub4_spd_med,
    sub4_spd_max,
    sub4_diffp_min,
    CASE WHEN len(s4_diffp) = 0 THEN NULL WHEN len(s4_diffp) % 2 = 1 THEN s4_diffp[(len(s4_diffp) + 1) // 2]
      ELSE s4_diffp[len(s4_diffp) // 2] * 0.5 + s4_diffp[len(s4_diffp) // 2 + 1] * 0.5 END AS sub4_diffp_med,
    sub4_diffp_max,
    sub4_rd_min,
    CASE WHEN len(s4_rd) = 0 THEN NULL WHEN len(s4_rd) % 2 = 1 THEN s4_rd[(len(s4_rd) + 1) // 2]
      ELSE s4_rd[len(s4_rd) // 2] * 0.5 + s4_rd[len(s4_rd) // 2 + 1] * 0.5 END AS sub4_rd_med,
    sub4_rd_max
  FROM subset_sorted
)
SELECT
  t.tender_id,
  t.n AS n_bids,
  t.mean_p AS mean_price,
  t.min_p AS min_price,
  t.max_p AS max_price,
  CASE WHEN t.n >= 2 AND t.mean_p > 0 THEN
    CASE WHEN t.max_p = t.min_p THEN 0.0 ELSE t.sd / t.mean_p END
  END AS cv,
  CASE WHEN t.n >= 2 AND t.min_p > 0 THEN (t.max_p - t.min_p) / t.min_p END AS spd,
  CASE WHEN t.n >= 2 AND t.min_p > 0 THEN (coalesce(t.b2_distinct, t.min_p) - t.min_p) / t.min_p END AS diffp,
  CASE WHEN t.sd_below_max > 0 THEN (t.b2_distinct - t.min_p) / t.sd_below_max END AS rd,
  CASE WHEN t.n >= 3 AND t.sd_losing > 0 THEN (t.b2 - t.min_p) / t.sd_losing END AS rd_losing,
  CASE WHEN t.n >= 3 AND t.max_p > t.b2 THEN (t.b2 - t.min_p) * (t.n - 2) / (t.max_p - t.b2) END AS rdnor,
  CASE WHEN t.n >= 4 AND t.max_p > t.min_p AND t.m2 > 0 THEN
    (t.n - 1) / ((t.n - 2) * (t.n - 3)) * ((t.n + 1) * (t.m4 / (t.m2 * t.m2) - 3) + 6)
  END AS kurt,
  CASE WHEN t.n >= 3 AND t.max_p > t.min_p AND t.m2 > 0 THEN
    sqrt(t.n * (t.n - 1)) / (t.n - 2) * t.m3 / (t.m2 ^ 1.5)
  END AS skew,
  CASE WHEN t.n >= 2 AND t.max_p > t.min_p THEN t.ks END AS ks,
  t.n_identical,
  CASE WHEN t.n >= 3 AND t.gap_mean > 0 THEN t.gap_sd / t.gap_mean END AS gap_cv,
  CASE WHEN t.n >= 3 AND t.min_p > 0 AND t.ratio_mean > 0 THEN t.ratio_sd / t.ratio_mean END AS ratio_cv,
  CASE WHEN t.ceiling > 0 THEN t.mean_p / t.ceiling END AS bid_ceiling_ratio,
  CASE WHEN t.ceiling > 0 THEN t.min_p / t.ceiling END AS min_ceiling_ratio,
  s.* EXCLUDE (tender_id)
FROM per_tender AS t
LEFT JOIN subset_summary AS s USING (tender_id)
ORDER BY t.tender_id;

-- name: read_tender_screens
SELECT * FROM tender_screens ORDER BY tender_id;

-- name: read_tender_screens_for
SELECT * FROM tender_screens WHERE list_contains($tender_ids, tender_id) ORDER BY tender_id;
