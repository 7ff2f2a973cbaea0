-- Data-driven thresholds (Tukey fences) for screens, per group with a global fallback, as Open
-- Contracting's cardinal-rs does for its indicators. Documented in docs/screens.md ("Fences").
-- The wrapper replaces the {{…}} tokens with ident()-quoted identifier lists only:
--   {{source}}        the table holding one row per tender (default tender_screens)
--   {{group_prefix}}  the group-by columns, each followed by ", " (empty when there is no grouping)
--   {{screen_select}} CAST(col AS DOUBLE) AS col, … for every screen column
--   {{screen_cols}}   the screen columns, comma-separated
-- Bound parameters: $min_group_size (groups smaller than this use the global distribution), $k (fence width).

-- name: screen_fences
CREATE OR REPLACE TABLE screen_fences AS
WITH long AS (
  SELECT *
  FROM (
    UNPIVOT (SELECT {{group_prefix}}{{screen_select}} FROM {{source}})
    ON {{screen_cols}} INTO NAME screen VALUE value
  )
  WHERE isfinite(value)
),
per_group AS (
  SELECT
    {{group_prefix}}screen,
    count(*) AS n,
    quantile_cont(value, 0.25) AS q1,
    quantile_cont(value, 0.5) AS q2,
    quantile_cont(value, 0.75) AS q3
  FROM long
  GROUP BY {{group_prefix}}screen
),
overall AS (
  SELECT
    screen,
    count(*) AS overall_n,
    quantile_cont(value, 0.25) AS overall_q1,
    quantile_cont(value, 0.5) AS overall_q2,
    quantile_cont(value, 0.75) AS overall_q3
  FROM long
  GROUP BY screen
),
chosen AS (
  SELECT
    {{group_prefix}}screen,
    n AS n_group,
    n >= $min_group_size AS own,
    CASE WHEN n >= $min_group_size THEN n ELSE overall_n END AS n_basis,
    CASE WHEN n >= $min_group_size THEN q1 ELSE overall_q1 END AS q1,
    CASE WHEN n >= $min_group_size THEN q2 ELSE overall_q2 END AS median,
    CASE WHEN n >= $min_group_size THEN q3 ELSE overall_q3 END AS q3
  FROM per_group
  JOIN overall USING (screen)
)
SELECT
  {{group_prefix}}screen,
  n_group,
  CASE WHEN own THEN 'group' ELSE 'global' END AS basis,
  n_basis,
  q1,
  median,
  q3,
  q3 - q1 AS iqr,
  q1 - $k * (q3 - q1) AS lower_fence,
  q3 + $k * (q3 - q1) AS upper_fence
FROM chosen
ORDER BY ALL;

-- name: read_screen_fences
SELECT * FROM screen_fences ORDER BY ALL;
