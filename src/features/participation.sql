-- name: participation
-- Who bid in and who won each tender (bulk, as lists).
SELECT tender_id,
       list(DISTINCT firm_id ORDER BY firm_id) AS firms,
       coalesce(list(DISTINCT firm_id ORDER BY firm_id) FILTER (WHERE is_winner), []) AS winners
FROM bids GROUP BY tender_id ORDER BY tender_id;
