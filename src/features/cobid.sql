-- Co-bidding, upload-sequence and debarment features (docs/cobid.md). Set-based SQL over bids; the typed
-- wrapper is cobid.ts. Intermediate tables are TEMP (cobid_*); results are feat_cobid_*, feat_upload_pairs
-- and feat_debarment, kept in the database for analysts.
--
-- Participation: one row per (tender, firm), so a firm that filed two bid_ids in one lot counts once.
-- Disqualified bids are kept: a deliberately non-compliant cover bid is still a meeting of the two firms
-- and still a loss to the winner; `disq` is carried so counts of valid bids can be reported.
-- Firm, tender and market ids are replaced by dense integers once (`cobid_b`, one row per bid), so every
-- join, window and aggregate below runs on integer keys; ids are joined back on only for what is stored
-- or read. fid follows firm id order and tid follows time order, so ordering by them orders by those.

-- name: prepare
CREATE OR REPLACE TEMP TABLE cobid_firm_ids AS
SELECT firm_id, dense_rank() OVER (ORDER BY firm_id)::INTEGER AS fid
FROM (SELECT DISTINCT firm_id FROM bids);

CREATE OR REPLACE TEMP TABLE cobid_t AS
WITH per_tender AS (
  SELECT b.tender_id, max(b.submitted_at) AS last_submitted
  FROM bids b GROUP BY b.tender_id
), timed AS (
  SELECT
    p.tender_id,
    coalesce(t.region, '?') || '/' || coalesce(t.category, '?') AS market,
    -- Time that orders a pair's shared tenders: the bid deadline, else the last submission, else publication.
    coalesce(t.bid_deadline, p.last_submitted, t.published_at) AS t_time,
    t.bid_deadline
  FROM per_tender p LEFT JOIN tenders t USING (tender_id)
)
-- tid follows time order (then tender id), so sorting by tid sorts by time.
SELECT tender_id, dense_rank() OVER (ORDER BY t_time NULLS LAST, tender_id)::INTEGER AS tid, market, t_time,
  bid_deadline
FROM timed;

CREATE OR REPLACE TEMP TABLE cobid_b AS
SELECT
  t.tid,
  f.fid,
  b.bid_id,
  b.submitted_at,
  coalesce(b.is_winner, false) AS won,
  coalesce(b.disqualified, false) AS disq
FROM bids b
JOIN cobid_t t USING (tender_id)
JOIN cobid_firm_ids f USING (firm_id);

CREATE OR REPLACE TEMP TABLE cobid_p AS
SELECT tid, fid, bool_or(won) AS won, bool_and(disq) AS disq FROM cobid_b GROUP BY tid, fid;

-- Per tender: bidders, winners, market (as an integer).
CREATE OR REPLACE TEMP TABLE cobid_tt AS
SELECT
  t.tid,
  dense_rank() OVER (ORDER BY t.market)::INTEGER AS mid,
  coalesce(c.n_bidders, 0) AS n_bidders,
  coalesce(c.n_winners, 0) AS n_winners
FROM cobid_t t
LEFT JOIN (
  SELECT tid, count(*) AS n_bidders, count(*) FILTER (WHERE won) AS n_winners FROM cobid_p GROUP BY tid
) c USING (tid);

-- name: firms
-- Every bidding firm: bids (participations), valid bids, wins, bids in tenders with a known winner.
CREATE OR REPLACE TABLE feat_cobid_firms AS
SELECT
  f.firm_id,
  count(*) AS n_bids,
  count(*) FILTER (WHERE NOT p.disq) AS n_valid,
  count(*) FILTER (WHERE p.disq) AS n_disqualified,
  count(*) FILTER (WHERE p.won) AS n_wins,
  count(*) FILTER (WHERE t.n_winners > 0) AS n_decided
FROM cobid_p p
JOIN cobid_tt t USING (tid)
JOIN cobid_firm_ids f USING (fid)
GROUP BY f.firm_id;

-- name: eligible
CREATE OR REPLACE TEMP TABLE cobid_elig AS
SELECT p.tid, p.fid, p.won, t.mid, t.n_winners
FROM cobid_p p JOIN cobid_tt t USING (tid)
WHERE t.n_bidders <= $max_bidders;

-- name: pairs
-- Firm pairs that met in ≥ 2 tenders with at most $max_bidders bidders (meeting in a 200-bidder lot
-- says nothing). Self-join on tender with a.fid < b.fid.
-- Almost every pair meets once (at a million bids: 4.3 M meetings of 4.1 M pairs, 112 k of them twice or
-- more), so the self-join runs once and each meeting is counted over its pair's packed BIGINT key
-- (fid_a · 2³² + fid_b) with a window count, cheaper than grouping the 4.1 M keys and joining again;
-- only the meetings of pairs that met twice or more are kept (`cobid_shared`, one row per pair and shared
-- tender). Every pair statistic, and the tender lists read_pairs returns, come from that small table.
-- fids are positive INTEGERs, so the packed key is exact.
-- (Run after `eligible`, which binds $max_bidders; a section with parameters holds one statement.)
CREATE OR REPLACE TEMP TABLE cobid_shared AS
SELECT fid_a, fid_b, tid, won_a, won_b, decided
FROM (
  SELECT
    a.fid AS fid_a, b.fid AS fid_b, a.tid, a.won AS won_a, b.won AS won_b, a.n_winners > 0 AS decided,
    count(*) OVER (PARTITION BY (a.fid::BIGINT << 32) | b.fid) AS n_met
  FROM cobid_elig a
  JOIN cobid_elig b ON a.tid = b.tid AND a.fid < b.fid
)
WHERE n_met >= 2;

-- n_a / n_b count the firm's participations in the same eligible tenders, so Jaccard is consistent.
-- expected_together: meetings expected if both firms chose their tenders independently within each
-- market (region × category): Σ_m n_a,m · n_b,m / N_m. lift = n_together / expected_together.
CREATE OR REPLACE TABLE feat_cobid_pairs AS
WITH pairs AS (
  SELECT
    fid_a,
    fid_b,
    count(*) AS n_together,
    count(*) FILTER (WHERE won_a) AS wins_a,
    count(*) FILTER (WHERE won_b) AS wins_b,
    count(*) FILTER (WHERE won_b AND NOT won_a) AS a_lost_to_b,
    count(*) FILTER (WHERE won_a AND NOT won_b) AS b_lost_to_a,
    count(*) FILTER (WHERE decided) AS n_decided,
    count(*) FILTER (WHERE decided AND NOT won_a AND NOT won_b) AS outsider_wins
  FROM cobid_shared
  GROUP BY fid_a, fid_b
), firm_n AS (
  SELECT fid, count(*) AS n FROM cobid_elig GROUP BY fid
), firm_market AS (
  SELECT fid, mid, count(*) AS n FROM cobid_elig GROUP BY fid, mid
), market_n AS (
  SELECT mid, count(DISTINCT tid) AS n FROM cobid_elig GROUP BY mid
), expected AS (
  -- Summed in market order (a list, then list_sum) rather than with sum(), whose parallel partial sums add up in
  -- varying order: the same input then gives bit-identical values on every run.
  SELECT c.fid_a, c.fid_b, list_sum(list(ma.n * mb.n / m.n ORDER BY ma.mid)) AS expected_together
  FROM pairs c
  JOIN firm_market ma ON ma.fid = c.fid_a
  JOIN firm_market mb ON mb.fid = c.fid_b AND mb.mid = ma.mid
  JOIN market_n m ON m.mid = ma.mid
  GROUP BY c.fid_a, c.fid_b
)
SELECT
  c.fid_a,
  c.fid_b,
  fa.firm_id AS firm_a,
  fb.firm_id AS firm_b,
  c.n_together,
  na.n AS n_a,
  nb.n AS n_b,
  c.n_together / (na.n + nb.n - c.n_together) AS jaccard,
  c.wins_a,
  c.wins_b,
  c.a_lost_to_b,
  c.b_lost_to_a,
  c.n_decided,
  c.outsider_wins,
  coalesce(e.expected_together, 0) AS expected_together,
  CASE WHEN e.expected_together > 0 THEN c.n_together / e.expected_together END AS lift
FROM pairs c
JOIN cobid_firm_ids fa ON fa.fid = c.fid_a
JOIN cobid_firm_ids fb ON fb.fid = c.fid_b
JOIN firm_n na ON na.fid = c.fid_a
JOIN firm_n nb ON nb.fid = c.fid_b
LEFT JOIN expected e ON e.fid_a = c.fid_a AND e.fid_b = c.fid_b;

-- name: pair_candidates
-- The pairs read into JS: n_together ≥ $min_together.
CREATE OR REPLACE TEMP TABLE cobid_cand AS
SELECT fid_a, fid_b FROM feat_cobid_pairs WHERE n_together >= $min_together;

-- name: read_pairs
-- The candidate pairs in firm id order (fids follow it). Read as columns: firm and tender ids come back
-- as integers and are looked up in the names firm_names / tender_names return.
SELECT
  fid_a, fid_b, n_together::INTEGER AS n_together, n_a::INTEGER AS n_a, n_b::INTEGER AS n_b, jaccard,
  wins_a::INTEGER AS wins_a, wins_b::INTEGER AS wins_b, a_lost_to_b::INTEGER AS a_lost_to_b,
  b_lost_to_a::INTEGER AS b_lost_to_a, n_decided::INTEGER AS n_decided,
  outsider_wins::INTEGER AS outsider_wins, expected_together, lift
FROM feat_cobid_pairs SEMI JOIN cobid_cand USING (fid_a, fid_b)
ORDER BY fid_a, fid_b;

-- name: read_pair_tenders
-- The shared tenders of the pairs read_pairs returns, in pair order and time order (tid follows time),
-- with who won each: 0 a, 1 b, 2 both, 3 another firm, 4 no winner recorded (WINNER_CODES in cobid.ts).
SELECT
  s.fid_a,
  s.fid_b,
  s.tid,
  CASE
    WHEN s.won_a AND s.won_b THEN 2
    WHEN s.won_a THEN 0
    WHEN s.won_b THEN 1
    WHEN s.decided THEN 3
    ELSE 4
  END::UTINYINT AS w
FROM cobid_shared s SEMI JOIN cobid_cand USING (fid_a, fid_b)
ORDER BY s.fid_a, s.fid_b, s.tid;

-- name: firm_names
-- Firm ids by fid (fid 1 first), as one JSON array: one string to hand over instead of one per firm.
SELECT to_json(list(firm_id ORDER BY fid))::VARCHAR AS names FROM cobid_firm_ids;

-- name: tender_names
-- Tender ids by tid (tid 1 first), as one JSON array.
SELECT to_json(list(tender_id ORDER BY tid))::VARCHAR AS names FROM cobid_t;

-- name: pair_quartiles
-- Quartiles of Jaccard among pairs with n_together ≥ $min_together (the detector draws its fence from them).
SELECT
  count(*) AS n,
  coalesce(quantile_cont(jaccard, 0.25), 0) AS q1,
  coalesce(quantile_cont(jaccard, 0.5), 0) AS median,
  coalesce(quantile_cont(jaccard, 0.75), 0) AS q3
FROM feat_cobid_pairs WHERE n_together >= $min_together;

-- name: firm_quartiles
-- Quartiles of bids per firm over all bidding firms.
SELECT
  count(*) AS n,
  coalesce(quantile_cont(n_bids, 0.25), 0) AS q1,
  coalesce(quantile_cont(n_bids, 0.5), 0) AS median,
  coalesce(quantile_cont(n_bids, 0.75), 0) AS q3
FROM feat_cobid_firms;

-- name: losses
-- Loser → winner: for every bid that lost a tender with a recorded winner, one row per winner.
-- A winner-per-tender join (not a self-join of all bidders), so it is about as large as bids.
CREATE OR REPLACE TEMP TABLE cobid_losses AS
SELECT l.fid AS loser, w.fid AS winner, l.tid, t.mid
FROM cobid_p l
JOIN cobid_p w ON w.tid = l.tid AND w.won AND w.fid <> l.fid
JOIN cobid_tt t ON t.tid = l.tid
WHERE NOT l.won;

-- Counted on the integer keys; firm ids are joined on per (loser, winner), not per loss.
CREATE OR REPLACE TEMP TABLE cobid_lost_to AS
SELECT loser, winner, count(*) AS n FROM cobid_losses GROUP BY loser, winner;

CREATE OR REPLACE TABLE feat_cobid_lost_to AS
SELECT fl.firm_id AS loser, fw.firm_id AS winner, x.n AS n_tenders
FROM cobid_lost_to x
JOIN cobid_firm_ids fl ON fl.fid = x.loser
JOIN cobid_firm_ids fw ON fw.fid = x.winner;

-- name: firm_candidates
-- Firms read into JS: n_bids ≥ $min_firm_bids.
CREATE OR REPLACE TEMP TABLE cobid_cand_firms AS
SELECT f.*, i.fid FROM feat_cobid_firms f JOIN cobid_firm_ids i USING (firm_id)
WHERE f.n_bids >= $min_firm_bids;

-- name: firm_tops
-- Each candidate firm's $top_k most frequent winners (ties by firm id; fids follow firm id order).
CREATE OR REPLACE TEMP TABLE cobid_top AS
SELECT x.loser, x.winner, x.n, row_number() OVER (PARTITION BY x.loser ORDER BY x.n DESC, x.winner) AS r
FROM cobid_lost_to x SEMI JOIN cobid_cand_firms c ON c.fid = x.loser
QUALIFY r <= $top_k;

-- name: read_firms
-- The candidate firms in firm id order, with:
--   n_lost          tenders the firm lost that have a recorded winner
--   n_lost_to_top   of those, tenders won by one of the top winners
--   baseline_top_share  the share of those tenders the same top winners would take if the firm's
--                   losses were spread like the decided tenders of its markets:
--                   Σ_m (n_lost_m / n_lost) · min(1, wins of top winners in m / decided tenders in m)
-- A firm lost a tender exactly when it did not win it and the tender has a recorded winner
-- (cobid_losses has one row per winner of it).
WITH n_winners AS (
  SELECT loser, count(*) AS n_distinct_winners
  FROM cobid_lost_to x SEMI JOIN cobid_cand_firms c ON c.fid = x.loser
  GROUP BY loser
), lost AS (
  SELECT p.fid AS loser, p.tid, t.mid
  FROM cobid_p p JOIN cobid_tt t USING (tid)
  SEMI JOIN cobid_cand_firms c ON c.fid = p.fid
  WHERE NOT p.won AND t.n_winners > 0
), lost_n AS (
  SELECT loser, count(*) AS n_lost FROM lost GROUP BY loser
), lost_top AS (
  SELECT x.loser, count(DISTINCT x.tid) AS n_lost_to_top
  FROM cobid_losses x SEMI JOIN cobid_top top ON top.loser = x.loser AND top.winner = x.winner
  GROUP BY x.loser
), lost_market AS (
  SELECT loser, mid, count(*) AS n FROM lost GROUP BY loser, mid
), market_decided AS (
  SELECT mid, count(*) AS n FROM cobid_tt WHERE n_winners > 0 GROUP BY mid
), market_wins AS (
  SELECT p.fid AS winner, t.mid, count(*) AS n
  FROM cobid_p p JOIN cobid_tt t USING (tid)
  WHERE p.won AND p.fid IN (SELECT winner FROM cobid_top)
  GROUP BY p.fid, t.mid
), top_market_share AS (
  SELECT top.loser, w.mid, least(1.0, sum(w.n) / any_value(d.n)) AS share
  FROM cobid_top top JOIN market_wins w ON w.winner = top.winner JOIN market_decided d ON d.mid = w.mid
  GROUP BY top.loser, w.mid
), baseline AS (
  -- list_sum in market order, not sum(): bit-identical on every run (see `expected` in `pairs`).
  SELECT lm.loser, list_sum(list(lm.n * coalesce(s.share, 0) ORDER BY lm.mid)) / sum(lm.n) AS baseline_top_share
  FROM lost_market lm LEFT JOIN top_market_share s ON s.loser = lm.loser AND s.mid = lm.mid
  GROUP BY lm.loser
)
SELECT
  c.fid, c.n_bids::INTEGER AS n_bids, c.n_valid::INTEGER AS n_valid,
  c.n_disqualified::INTEGER AS n_disqualified, c.n_wins::INTEGER AS n_wins,
  c.n_decided::INTEGER AS n_decided,
  coalesce(ln.n_lost, 0)::INTEGER AS n_lost,
  coalesce(nw.n_distinct_winners, 0)::INTEGER AS n_distinct_winners,
  coalesce(lt.n_lost_to_top, 0)::INTEGER AS n_lost_to_top,
  coalesce(b.baseline_top_share, 0)::DOUBLE AS baseline_top_share
FROM cobid_cand_firms c
LEFT JOIN lost_n ln ON ln.loser = c.fid
LEFT JOIN n_winners nw ON nw.loser = c.fid
LEFT JOIN lost_top lt ON lt.loser = c.fid
LEFT JOIN baseline b ON b.loser = c.fid
ORDER BY c.fid;

-- name: read_top_winners
-- Each candidate firm's top winners, by firm then rank.
SELECT loser, winner, n::INTEGER AS n FROM cobid_top ORDER BY loser, r;

-- name: read_top_tenders
-- The tenders each firm lost to each of its top winners: by firm, winner rank, then tender id.
SELECT x.loser, x.winner, x.tid
FROM cobid_losses x
JOIN cobid_top top ON top.loser = x.loser AND top.winner = x.winner
JOIN cobid_t t ON t.tid = x.tid
ORDER BY x.loser, top.r, t.tender_id;

-- name: upload_pairs
-- Consecutive submissions (by time, per tender) of two different firms no more than $max_gap seconds
-- apart, outside the deadline rush, for pairs doing so in ≥ $min_tenders tenders.
-- Deadline rush: the tender's last $rush_window seconds before its bid deadline (or, when the deadline
-- is unknown, before its last submission) holding ≥ $rush_min_bids submissions; a gap whose later
-- submission falls in that window is not counted. All bids count, disqualified ones too: the upload
-- happens before any evaluation.
CREATE OR REPLACE TABLE feat_upload_pairs AS
WITH s AS (
  SELECT tid, fid, bid_id, submitted_at, epoch(submitted_at) AS ts FROM cobid_b WHERE submitted_at IS NOT NULL
), ref AS (
  SELECT
    s.tid,
    count(*) AS n_submitted,
    max(s.ts) - min(s.ts) AS span_s,
    any_value(t.bid_deadline) AS deadline_at,
    coalesce(epoch(any_value(t.bid_deadline)), max(s.ts)) AS deadline_ts
  FROM s JOIN cobid_t t USING (tid)
  GROUP BY s.tid
), rush AS (
  SELECT s.tid, count(*) FILTER (WHERE s.ts >= r.deadline_ts - $rush_window) AS n_rush
  FROM s JOIN ref r USING (tid)
  GROUP BY s.tid
), seq AS (
  SELECT
    tid, fid, submitted_at, ts,
    lag(fid) OVER w AS prev_fid,
    lag(submitted_at) OVER w AS prev_at,
    lag(ts) OVER w AS prev_ts
  FROM s
  WINDOW w AS (PARTITION BY tid ORDER BY ts, fid, bid_id)
), tight AS (
  SELECT
    least(q.prev_fid, q.fid) AS fid_a,
    greatest(q.prev_fid, q.fid) AS fid_b,
    q.tid,
    q.ts - q.prev_ts AS gap_s,
    q.prev_fid AS first_fid,
    q.prev_at AS first_at,
    q.submitted_at AS second_at,
    r.deadline_ts - q.ts AS to_deadline_s,
    r.n_submitted,
    r.span_s,
    r.deadline_at,
    u.n_rush
  FROM seq q JOIN ref r USING (tid) JOIN rush u USING (tid)
  WHERE q.prev_fid IS NOT NULL
    AND q.prev_fid <> q.fid
    AND q.ts - q.prev_ts <= $max_gap
    AND NOT (q.ts >= r.deadline_ts - $rush_window AND u.n_rush >= $rush_min_bids)
  -- One row per pair and tender (a firm that re-submitted could pair twice): the tightest gap.
  QUALIFY row_number() OVER (
    PARTITION BY least(q.prev_fid, q.fid), greatest(q.prev_fid, q.fid), q.tid
    ORDER BY q.ts - q.prev_ts, q.ts
  ) = 1
), kept AS (
  SELECT * FROM tight
  QUALIFY count(*) OVER (PARTITION BY fid_a, fid_b) >= $min_tenders
)
SELECT
  fa.firm_id AS firm_a,
  fb.firm_id AS firm_b,
  t.tender_id,
  k.gap_s,
  ff.firm_id AS first_firm,
  k.first_at,
  k.second_at,
  k.to_deadline_s,
  k.n_submitted,
  k.span_s,
  k.deadline_at,
  k.n_rush
FROM kept k
JOIN cobid_firm_ids fa ON fa.fid = k.fid_a
JOIN cobid_firm_ids fb ON fb.fid = k.fid_b
JOIN cobid_firm_ids ff ON ff.fid = k.first_fid
JOIN cobid_t t ON t.tid = k.tid;

-- name: read_upload_pairs
SELECT
  firm_a,
  firm_b,
  count(*) AS n_tenders,
  list(
    struct_pack(
      tender_id := tender_id,
      gap_s := gap_s::DOUBLE,
      first_firm := first_firm,
      first_at := strftime(first_at, '%Y-%m-%d %H:%M:%S'),
      second_at := strftime(second_at, '%Y-%m-%d %H:%M:%S'),
      to_deadline_s := to_deadline_s::DOUBLE,
      n_submitted := n_submitted::INTEGER,
      span_s := span_s::DOUBLE,
      n_rush := n_rush::INTEGER,
      deadline := strftime(deadline_at, '%Y-%m-%d %H:%M:%S')
    )
    ORDER BY tender_id
  ) AS tenders
FROM feat_upload_pairs
GROUP BY firm_a, firm_b
ORDER BY firm_a, firm_b;

-- name: debarment
-- Bids placed while a sanction on the firm, its legal representative (firms.legal_rep_id or firm_people
-- role legal_rep) or the bid's proposed project manager was in force. Bid time: submitted_at, else the
-- tender's bid_deadline, else its published_at; compared as a local (Asia/Shanghai) date with
-- start_date ≤ date ≤ end_date (NULL start = since ever, NULL end = open-ended). Bids with no time at
-- all cannot be placed in a period and are not reported.
CREATE OR REPLACE TABLE feat_debarment AS
WITH reps AS (
  SELECT firm_id, legal_rep_id AS person_id FROM firms WHERE legal_rep_id IS NOT NULL
  UNION
  SELECT firm_id, person_id FROM firm_people WHERE role = 'legal_rep'
), sanctioned_firms AS (
  -- Firms sanctioned themselves or through their legal representative: only their bids, and the bids
  -- naming a sanctioned project manager, can be linked to a sanction, so only those are looked at.
  SELECT subject_id AS firm_id FROM sanctions WHERE subject_type = 'firm'
  UNION
  SELECT r.firm_id FROM reps r JOIN sanctions s ON s.subject_type = 'person' AND s.subject_id = r.person_id
), bt AS (
  SELECT
    b.bid_id, b.tender_id, b.firm_id, b.project_manager_id,
    coalesce(b.submitted_at, t.bid_deadline, t.published_at) AS bid_time,
    CASE
      WHEN b.submitted_at IS NOT NULL THEN 'submitted_at'
      WHEN t.bid_deadline IS NOT NULL THEN 'bid_deadline'
      WHEN t.published_at IS NOT NULL THEN 'published_at'
    END AS time_basis
  FROM bids b LEFT JOIN tenders t USING (tender_id)
  WHERE b.firm_id IN (SELECT firm_id FROM sanctioned_firms)
    OR b.project_manager_id IN (SELECT subject_id FROM sanctions WHERE subject_type = 'person')
), links AS (
  SELECT bt.bid_id, s.subject_id, s.subject_type, s.reason, s.start_date, s.end_date, 'firm' AS relation
  FROM bt JOIN sanctions s ON s.subject_type = 'firm' AND s.subject_id = bt.firm_id
  UNION ALL
  SELECT bt.bid_id, s.subject_id, s.subject_type, s.reason, s.start_date, s.end_date, 'legal_rep' AS relation
  FROM bt JOIN reps r USING (firm_id)
  JOIN sanctions s ON s.subject_type = 'person' AND s.subject_id = r.person_id
  UNION ALL
  SELECT bt.bid_id, s.subject_id, s.subject_type, s.reason, s.start_date, s.end_date,
    'project_manager' AS relation
  FROM bt JOIN sanctions s ON s.subject_type = 'person' AND s.subject_id = bt.project_manager_id
)
SELECT
  bt.firm_id, l.subject_id, l.subject_type, l.reason, l.start_date, l.end_date,
  bt.tender_id, bt.bid_id, bt.bid_time, bt.time_basis,
  list(DISTINCT l.relation ORDER BY l.relation) AS relations
FROM links l
JOIN bt USING (bid_id)
WHERE bt.bid_time IS NOT NULL
  AND (l.start_date IS NULL OR l.start_date <= CAST(bt.bid_time AS DATE))
  AND (l.end_date IS NULL OR CAST(bt.bid_time AS DATE) <= l.end_date)
GROUP BY ALL;

-- name: read_debarment
-- One row per firm and sanction (subject, type, start date), listing every bid placed while it was in force.
SELECT
  firm_id,
  subject_id,
  subject_type,
  any_value(reason) AS reason,
  strftime(start_date, '%Y-%m-%d') AS start_date,
  strftime(end_date, '%Y-%m-%d') AS end_date,
  list_sort(list_distinct(flatten(list(relations)))) AS relations,
  list(
    struct_pack(
      tender_id := tender_id,
      bid_id := bid_id,
      bid_time := strftime(bid_time, '%Y-%m-%d %H:%M:%S'),
      time_basis := time_basis,
      relations := relations
    )
    ORDER BY tender_id, bid_id
  ) AS bids
FROM feat_debarment
GROUP BY firm_id, subject_id, subject_type, start_date, end_date
ORDER BY firm_id, subject_id, subject_type, start_date NULLS FIRST;

-- name: drop_temp
-- The intermediate tables hold a row per bid and per meeting: let them go once the features are read.
DROP TABLE IF EXISTS cobid_b;
DROP TABLE IF EXISTS cobid_p;
DROP TABLE IF EXISTS cobid_t;
DROP TABLE IF EXISTS cobid_tt;
DROP TABLE IF EXISTS cobid_elig;
DROP TABLE IF EXISTS cobid_shared;
DROP TABLE IF EXISTS cobid_cand;
DROP TABLE IF EXISTS cobid_losses;
DROP TABLE IF EXISTS cobid_lost_to;
DROP TABLE IF EXISTS cobid_cand_firms;
DROP TABLE IF EXISTS cobid_top;
DROP TABLE IF EXISTS cobid_firm_ids;
