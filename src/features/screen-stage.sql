-- name: screen_bids
-- Valid bids for the price screens, with the tender's ceiling price.
CREATE OR REPLACE TEMP VIEW screen_bids AS
SELECT b.tender_id, b.price::DOUBLE AS price, b.is_winner, t.ceiling_price::DOUBLE AS ceiling_price
FROM bids b LEFT JOIN tenders t USING (tender_id)
WHERE NOT coalesce(b.disqualified, false);

-- name: screen_groups
-- Tenders with their fence group: category × size band of the tender value (ceiling, else mean bid):
-- band 0: < 1M yuan, 1: 1–10M, 2: 10–100M, 3: ≥ 100M. A view of the columns the fences and the flagged
-- screens read (FENCED_SCREENS in screen-stage.ts): copying all of tender_screens into a table cost more
-- than the two reads of the join.
CREATE OR REPLACE TEMP VIEW tender_screen_groups AS
SELECT s.tender_id, s.n_bids, s.cv, s.spd, s.gap_cv, s.rd, s.sub3_cv_min,
       coalesce(t.category, 'other') AS category,
       CASE
         WHEN coalesce(t.ceiling_price::DOUBLE, s.mean_price) < 1e6 THEN 0
         WHEN coalesce(t.ceiling_price::DOUBLE, s.mean_price) < 1e7 THEN 1
         WHEN coalesce(t.ceiling_price::DOUBLE, s.mean_price) < 1e8 THEN 2
         ELSE 3
       END AS size_band
FROM tender_screens s LEFT JOIN tenders t USING (tender_id);

-- name: flagged_screens
-- Each tender's screens against its group's fences, in the collusive direction of each screen.
-- Values are rounded to 8 decimals: parallel sums differ in the last bits between runs.
SELECT g.tender_id, g.category, g.size_band, g.n_bids, f.screen,
       round(CASE f.screen WHEN 'cv' THEN g.cv WHEN 'spd' THEN g.spd WHEN 'gap_cv' THEN g.gap_cv
                     WHEN 'rd' THEN g.rd WHEN 'sub3_cv_min' THEN g.sub3_cv_min END, 8) AS value,
       round(f.lower_fence, 8) AS lower_fence, round(f.upper_fence, 8) AS upper_fence,
       round(f.q1, 8) AS q1, round(f.q3, 8) AS q3, f.basis
FROM tender_screen_groups g
JOIN screen_fences f ON f.category IS NOT DISTINCT FROM g.category AND f.size_band IS NOT DISTINCT FROM g.size_band
WHERE g.n_bids >= $min_bids
  AND (
    (f.screen = 'cv' AND g.cv < f.lower_fence) OR
    (f.screen = 'spd' AND g.spd < f.lower_fence) OR
    (f.screen = 'gap_cv' AND g.gap_cv < f.lower_fence) OR
    (f.screen = 'rd' AND g.rd > f.upper_fence) OR
    (f.screen = 'sub3_cv_min' AND g.sub3_cv_min < f.lower_fence)
  )
ORDER BY g.tender_id, f.screen;

-- name: tender_screen_table
-- Rounded to 6 decimals so the CSV is stable across platforms. Columns in TENDER_RISK_SCREEN_COLUMNS order, all
-- DOUBLE (read column by column in screen-stage.ts).
SELECT tender_id, round(cv, 6) AS cv, round(spd, 6) AS spread, round(rd, 6) AS rd, round(rdnor, 6) AS rdnor,
       round(kurt, 6) AS kurtosis, round(skew, 6) AS skewness, round(diffp, 6) AS diffp, round(ks, 6) AS ks,
       CAST(n_identical AS DOUBLE) AS n_identical, round(gap_cv, 6) AS gap_cv, round(ratio_cv, 6) AS ratio_cv,
       round(bid_ceiling_ratio, 6) AS bid_ceiling_ratio, round(sub3_cv_min, 6) AS sub3_cv_min,
       round(sub4_cv_min, 6) AS sub4_cv_min
FROM tender_screens ORDER BY tender_id;
