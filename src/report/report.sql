-- Reads for the nightly report (src/report/report.ts). Ids arrive as a JSON array parameter.

-- name: tender_places
SELECT tender_id, region, category
FROM tenders
WHERE tender_id IN (SELECT unnest($ids::JSON::VARCHAR[]))
ORDER BY tender_id;

-- name: firm_names_listed
-- Firm names, first step: the firms table's name of the given firms (the smallest, should there be two).
SELECT firm_id, min(name) AS name FROM firms
WHERE name IS NOT NULL AND firm_id IN (SELECT unnest($ids::JSON::VARCHAR[]))
GROUP BY firm_id
ORDER BY firm_id;

-- name: firm_names_from_bids
-- Second step, only for the given firms the firms table does not name (usually none, so the bids are
-- rarely read): the name on their bids.
SELECT firm_id, any_value(firm_name) AS name FROM bids
WHERE firm_name IS NOT NULL AND firm_id IN (SELECT unnest($ids::JSON::VARCHAR[]))
GROUP BY firm_id
ORDER BY firm_id;

-- name: alert_statuses
-- The workflow state of the given alerts (the report shows it for the top alerts).
SELECT id, status FROM alerts WHERE id IN (SELECT unnest($ids::JSON::VARCHAR[])) ORDER BY id;

-- name: tender_risk_csv
-- The run's tender_risk.csv (risk score and screens per tender).
SELECT tender_id, risk_score::DOUBLE AS risk_score, cv::DOUBLE AS cv, spread::DOUBLE AS spread,
       rd::DOUBLE AS rd, kurtosis::DOUBLE AS kurtosis, skewness::DOUBLE AS skewness,
       gap_cv::DOUBLE AS gap_cv, bid_ceiling_ratio::DOUBLE AS bid_ceiling_ratio,
       sub3_cv_min::DOUBLE AS sub3_cv_min
FROM read_csv($path, header = true, all_varchar = true, nullstr = '')
ORDER BY tender_id;

-- name: tender_screens_table
-- Fallback when tender_risk.csv is not there: the screens table of the last run (no risk scores).
SELECT tender_id, NULL::DOUBLE AS risk_score, cv::DOUBLE AS cv, spd::DOUBLE AS spread, rd::DOUBLE AS rd,
       kurt::DOUBLE AS kurtosis, skew::DOUBLE AS skewness, gap_cv::DOUBLE AS gap_cv,
       bid_ceiling_ratio::DOUBLE AS bid_ceiling_ratio, sub3_cv_min::DOUBLE AS sub3_cv_min
FROM tender_screens
ORDER BY tender_id;

-- name: rejects_by_reason
-- Rejected rows of the run's files by reason, with the quoted values blanked so that one reason is one row.
SELECT table_name, regexp_replace(reason, '"[^"]*"', '"…"', 'g') AS reason, count(*)::INTEGER AS n
FROM rejects
WHERE file_id IN (SELECT unnest($file_ids::JSON::INTEGER[]))
GROUP BY ALL
ORDER BY n DESC, table_name, reason;
