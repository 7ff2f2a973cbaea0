-- Per-tender price screens (formulas, references and conventions: docs/screens.md).
-- Input: {{source}}(tender_id VARCHAR, price DOUBLE, is_winner BOOLEAN, ceiling_price DOUBLE), one row per
-- valid bid. `{{source}}` is replaced by the wrapper with an ident()-quoted table name.
-- Undefined screens are NULL, never NaN or Infinity.

-- name: tender_screens
-- One grouped pass: each tender's prices as one sorted list, and every screen computed on that list (the
-- sorted list is b(1) ≤ … ≤ b(n) of docs/screens.md, so ranks are list positions and windows are slices).
-- Sums run over the sorted prices, so results do not depend on the order in which the bids were read.
CREATE OR REPLACE TABLE tender_screens AS
WITH lists AS (
  SELECT CAST(tender_id AS VARCHAR) AS tender_id, list_sort(list(CAST(price AS DOUBLE))) AS ps,
         max(CAST(ceiling_price AS DOUBLE)) AS ceiling
  FROM {{source}}
  WHERE tender_id IS NOT NULL AND price IS NOT NULL AND isfinite(price)
  GROUP BY 1
),
basic AS (
  SELECT tender_id, ps, ceiling, len(ps) AS n, list_avg(ps) AS mean_p, ps[1] AS min_p, ps[-1] AS max_p,
         -- Consecutive bids side by side (the list shifted by one, two, three): pairs for the gaps, and the
         -- windows of 3 and of 4 bids consecutive in price rank (subsets for incomplete cartels).
         list_zip(ps, ps[2:], true) AS pairs,
         list_transform(list_zip(ps, ps[2:], ps[3:], true), r -> [r[1], r[2], r[3]]) AS w3,
         list_transform(list_zip(ps, ps[2:], ps[3:], ps[4:], true), r -> [r[1], r[2], r[3], r[4]]) AS w4
  FROM lists
),
per_tender AS (
  SELECT
    tender_id, n, mean_p, min_p, max_p, ceiling,
    list_stddev_samp(ps) AS sd,
    -- Central moments about the tender mean (population form); numerically stable for large prices.
    list_avg(list_transform(ps, x -> (x - mean_p) ^ 2)) AS m2,
    list_avg(list_transform(ps, x -> (x - mean_p) ^ 3)) AS m3,
    list_avg(list_transform(ps, x -> (x - mean_p) ^ 4)) AS m4,
    ps[2] AS b2,
    list_filter(ps, x -> x > min_p)[1] AS b2_distinct,
    list_stddev_samp(list_filter(ps, x -> x < max_p)) AS sd_below_max,
    list_stddev_samp(ps[2:]) AS sd_losing,
    -- Two-sided Kolmogorov–Smirnov D of the bids against U(min, max), scipy.stats.kstest style.
    list_max(list_transform(ps, (x, i) -> greatest(
      CAST(i AS DOUBLE) / n - (x - min_p) / nullif(max_p - min_p, 0),
      (x - min_p) / nullif(max_p - min_p, 0) - CAST(i - 1 AS DOUBLE) / n
    ))) AS ks,
    -- Bids whose price equals a neighbour's in the sorted list, i.e. another bid's: per bid, whether it equals
    -- the one before or the one after.
    len(list_filter(
      list_zip(list_prepend(false, list_transform(pairs, r -> r[1] = r[2])),
               list_append(list_transform(pairs, r -> r[1] = r[2]), false)),
      e -> e[1] OR e[2]
    )) AS n_identical,
    list_transform(pairs, r -> r[2] - r[1]) AS gaps,
    list_transform(pairs, r -> CASE WHEN r[1] > 0 THEN r[2] / r[1] - 1 END) AS ratios,
    -- Per window: CV, SPD, DIFFP and RD (docs/screens.md, "Subset screens").
    list_transform(w3, s -> CASE WHEN s[1] > 0 THEN
      CASE WHEN s[3] = s[1] THEN 0.0 ELSE list_stddev_samp(s) / list_avg(s) END END) AS l3_cv,
    list_transform(w3, s -> CASE WHEN s[1] > 0 THEN (s[3] - s[1]) / s[1] END) AS l3_spd,
    list_transform(w3, s -> CASE WHEN s[1] > 0 THEN (s[2] - s[1]) / s[1] END) AS l3_diffp,
    list_transform(w3, s -> CASE WHEN s[3] > s[2] THEN (s[2] - s[1]) / list_stddev_samp(s[2:]) END) AS l3_rd,
    list_transform(w4, s -> CASE WHEN s[1] > 0 THEN
      CASE WHEN s[4] = s[1] THEN 0.0 ELSE list_stddev_samp(s) / list_avg(s) END END) AS l4_cv,
    list_transform(w4, s -> CASE WHEN s[1] > 0 THEN (s[4] - s[1]) / s[1] END) AS l4_spd,
    list_transform(w4, s -> CASE WHEN s[1] > 0 THEN (s[2] - s[1]) / s[1] END) AS l4_diffp,
    list_transform(w4, s -> CASE WHEN s[4] > s[2] THEN (s[2] - s[1]) / list_stddev_samp(s[2:]) END) AS l4_rd
  FROM basic
)
SELECT
  tender_id,
  n AS n_bids,
  mean_p AS mean_price,
  min_p AS min_price,
  max_p AS max_price,
  CASE WHEN n >= 2 AND mean_p > 0 THEN
    CASE WHEN max_p = min_p THEN 0.0 ELSE sd / mean_p END
  END AS cv,
  CASE WHEN n >= 2 AND min_p > 0 THEN (max_p - min_p) / min_p END AS spd,
  CASE WHEN n >= 2 AND min_p > 0 THEN (coalesce(b2_distinct, min_p) - min_p) / min_p END AS diffp,
  CASE WHEN sd_below_max > 0 THEN (b2_distinct - min_p) / sd_below_max END AS rd,
  CASE WHEN n >= 3 AND sd_losing > 0 THEN (b2 - min_p) / sd_losing END AS rd_losing,
  CASE WHEN n >= 3 AND max_p > b2 THEN (b2 - min_p) * (n - 2) / (max_p - b2) END AS rdnor,
  CASE WHEN n >= 4 AND max_p > min_p AND m2 > 0 THEN
    (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * (m4 / (m2 * m2) - 3) + 6)
  END AS kurt,
  CASE WHEN n >= 3 AND max_p > min_p AND m2 > 0 THEN
    sqrt(n * (n - 1)) / (n - 2) * m3 / (m2 ^ 1.5)
  END AS skew,
  CASE WHEN n >= 2 AND max_p > min_p THEN ks END AS ks,
  n_identical,
  CASE WHEN n >= 3 AND list_avg(gaps) > 0 THEN list_stddev_samp(gaps) / list_avg(gaps) END AS gap_cv,
  CASE WHEN n >= 3 AND min_p > 0 AND list_avg(ratios) > 0 THEN list_stddev_samp(ratios) / list_avg(ratios) END
    AS ratio_cv,
  CASE WHEN ceiling > 0 THEN mean_p / ceiling END AS bid_ceiling_ratio,
  CASE WHEN ceiling > 0 THEN min_p / ceiling END AS min_ceiling_ratio,
  -- Per window size: min, median and max of each window screen over its non-NULL values (list_median is
  -- quantile_cont(x, 0.5): the middle value, or the mean of the two middle ones).
  list_min(l3_cv) AS sub3_cv_min,
  list_median(l3_cv) AS sub3_cv_med,
  list_max(l3_cv) AS sub3_cv_max,
  list_min(l3_spd) AS sub3_spd_min,
  list_median(l3_spd) AS sub3_spd_med,
  list_max(l3_spd) AS sub3_spd_max,
  list_min(l3_diffp) AS sub3_diffp_min,
  list_median(l3_diffp) AS sub3_diffp_med,
  list_max(l3_diffp) AS sub3_diffp_max,
  list_min(l3_rd) AS sub3_rd_min,
  list_median(l3_rd) AS sub3_rd_med,
  list_max(l3_rd) AS sub3_rd_max,
  list_min(l4_cv) AS sub4_cv_min,
  list_median(l4_cv) AS sub4_cv_med,
  list_max(l4_cv) AS sub4_cv_max,
  list_min(l4_spd) AS sub4_spd_min,
  list_median(l4_spd) AS sub4_spd_med,
  list_max(l4_spd) AS sub4_spd_max,
  list_min(l4_diffp) AS sub4_diffp_min,
  list_median(l4_diffp) AS sub4_diffp_med,
  list_max(l4_diffp) AS sub4_diffp_max,
  list_min(l4_rd) AS sub4_rd_min,
  list_median(l4_rd) AS sub4_rd_med,
  list_max(l4_rd) AS sub4_rd_max
FROM per_tender
ORDER BY tender_id;

-- name: read_tender_screens
SELECT * FROM tender_screens ORDER BY tender_id;

-- name: read_tender_screens_for
SELECT * FROM tender_screens WHERE list_contains($tender_ids, tender_id) ORDER BY tender_id;
