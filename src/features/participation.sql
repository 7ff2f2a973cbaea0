-- name: participation
-- Who bid in and who won each tender (bulk, as lists).
SELECT tender_id,
       list(DISTINCT firm_id ORDER BY firm_id) AS firms,
       coalesce(list(DISTINCT firm_id ORDER BY firm_id) FILTER (WHERE is_winner), []) AS winners
FROM bids GROUP BY tender_id ORDER BY tender_id;

-- name: has_unlisted_tenders
-- Whether any bid names a tender that is not in `tenders` (proc_tenders has no row for it).
SELECT EXISTS (SELECT 1 FROM bids b ANTI JOIN tenders t USING (tender_id)) AS unlisted;
