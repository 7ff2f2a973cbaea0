-- Reads for the workbench's alert page (src/web/data.ts). Ids arrive as a JSON array parameter.

-- name: tenders
SELECT tender_id, title, region, category, method, tenderee_id, agency_id,
       ceiling_price::DOUBLE AS ceiling_price, award_price::DOUBLE AS award_price,
       published_at, bid_deadline
FROM tenders
WHERE tender_id IN (SELECT unnest($ids::JSON::VARCHAR[]))
ORDER BY tender_id;

-- name: bids
SELECT b.tender_id, b.bid_id, b.firm_id, coalesce(f.name, b.firm_name) AS firm_name,
       b.price::DOUBLE AS price, b.is_winner, b.disqualified, b.disqualify_reason, b.submitted_at
FROM bids b
LEFT JOIN (SELECT firm_id, any_value(name) AS name FROM firms GROUP BY firm_id) f USING (firm_id)
WHERE b.tender_id IN (SELECT unnest($ids::JSON::VARCHAR[]))
ORDER BY b.tender_id, b.price, b.firm_id, b.bid_id;
