-- name: tender_sides
SELECT tender_id, category, tenderee_id, agency_id FROM tenders ORDER BY tender_id;

-- name: collusion_penalties
-- Administrative penalties for collusive bidding per firm (sanction reasons naming collusion).
SELECT subject_id AS firm_id, list(strftime(start_date, '%Y-%m-%d') ORDER BY start_date) AS dates
FROM sanctions
WHERE subject_type = 'firm' AND start_date IS NOT NULL
  AND (reason ILIKE '%串通%' OR reason ILIKE '%围标%' OR reason ILIKE '%串标%' OR reason ILIKE '%collu%' OR reason ILIKE '%rigg%')
GROUP BY subject_id ORDER BY subject_id;

-- name: as_of
SELECT strftime(max(coalesce(b.submitted_at, t.bid_deadline, t.published_at)), '%Y-%m-%d') AS d
FROM bids b LEFT JOIN tenders t USING (tender_id);
