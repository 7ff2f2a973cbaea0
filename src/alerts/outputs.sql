-- name: tender_values
-- Award value at stake per tender: the recorded award price, else the winning bid, else the lowest valid bid.
SELECT t.tender_id,
       coalesce(t.award_price, w.win_price, w.min_price)::DOUBLE AS value
FROM tenders t
LEFT JOIN (
  SELECT tender_id,
         max(price) FILTER (WHERE is_winner) AS win_price,
         min(price) FILTER (WHERE NOT coalesce(disqualified, false)) AS min_price
  FROM bids GROUP BY tender_id
) w USING (tender_id);

-- name: tender_facts
-- Per tender, in one pass over tenders and bids, what the alerts stage and tender_risk.csv need: the value at
-- stake (as tender_values), the tender side that routing reads (as routing.sql tender_sides) and the number
-- of bids (as tender_bid_counts). One JSON array of them in one row, which reads about twice as fast as a
-- row per tender.
SELECT to_json(coalesce(list(struct_pack(
         t.tender_id,
         value := coalesce(t.award_price, w.win_price, w.min_price)::DOUBLE,
         t.category, t.tenderee_id, t.agency_id,
         n_bids := coalesce(w.n_bids, 0)::INTEGER
       )), [])) AS tenders
FROM tenders t
LEFT JOIN (
  SELECT tender_id,
         max(price) FILTER (WHERE is_winner) AS win_price,
         min(price) FILTER (WHERE NOT coalesce(disqualified, false)) AS min_price,
         count(*) AS n_bids
  FROM bids GROUP BY tender_id
) w USING (tender_id);

-- name: tender_bid_counts
SELECT tender_id, count(*)::INTEGER AS n_bids FROM bids GROUP BY tender_id ORDER BY tender_id;

-- name: run_rejects
SELECT r.file, r.line, r.table_name, r.reason, r.raw
FROM rejects r
WHERE r.file_id IN (SELECT unnest($file_ids::INTEGER[]))
ORDER BY r.file, r.line NULLS LAST, r.reason;

-- name: table_counts
SELECT 'tenders' AS table_name, count(*) AS n FROM tenders UNION ALL
SELECT 'bids', count(*) FROM bids UNION ALL
SELECT 'firms', count(*) FROM firms UNION ALL
SELECT 'firm_people', count(*) FROM firm_people UNION ALL
SELECT 'sanctions', count(*) FROM sanctions;
