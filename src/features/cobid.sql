-- Co-bidding, upload-sequence and debarment features (docs/cobid.md). Set-based SQL over bids; the typed
-- wrapper is cobid.ts. Intermediate tables are TEMP (cobid_*); results are feat_cobid_*, feat_upload_pairs
-- and feat_debarment, kept in the database for analysts.
--
-- Participation: one row per (tender, firm), so a firm that filed two bid_ids in one lot counts once.
-- Disqualified bids are kept: a deliberately non-compliant cover bid is still a meeting of the two firms
-- and still a loss to the winner; `disq` is carried so counts of valid bids can be reported.
-- Firm, tender and market ids are replaced by dense integers before the self-join, so the big join and
-- its aggregate run on integer keys; pairs are aggregated straight out of the join (never materialised
-- per tender).

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
    coalesce(t.bid_deadline, p.last_submitted, t.published_at) AS t_time
  FROM per_tender p LEFT JOIN tenders t USING (tender_id)
)
-- tid follows time order (then tender id), so sorting by tid sorts by time.
SELECT tender_id, dense_rank() OVER (ORDER BY t_time NULLS LAST, tender_id)::INTEGER AS tid, market, t_time
FROM timed;

CREATE OR REPLACE TEMP TABLE cobid_p AS
SELECT
  t.tid,
  f.fid,
  bool_or(coalesce(b.is_winner, false)) AS won,
  bool_and(coalesce(b.disqualified, false)) AS disq
FROM bids b
JOIN cobid_t t USING (tender_id)
JOIN cobid_firm_ids f USING (firm_id)
GROUP BY t.tid, f.fid;

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
-- says nothing). Self-join on tender with a.fid < b.fid, aggregated straight away.
-- n_a / n_b count the firm's participations in the same eligible tenders, so Jaccard is consistent.
-- expected_together: meetings expected if both firms chose their tenders independently within each
-- market (region × category): Σ_m n_a,m · n_b,m / N_m. lift = n_together / expected_together.
-- (Run after `eligible`, which binds $max_bidders; a section with parameters holds one statement.)
CREATE OR REPLACE TEMP TABLE cobid_pairs AS
SELECT
  a.fid AS fid_a,
  b.fid AS fid_b,
  count(*) AS n_together,
  count(*) FILTER (WHERE a.won) AS wins_a,
  count(*) FILTER (WHERE b.won) AS wins_b,
  count(*) FILTER (WHERE b.won AND NOT a.won) AS a_lost_to_b,
  count(*) FILTER (WHERE a.won AND NOT b.won) AS b_lost_to_a,
  count(*) FILTER (WHERE a.n_winners > 0) AS n_decided,
  count(*) FILTER (WHERE a.n_winners > 0 AND NOT a.won AND NOT b.won) AS outsider_wins
FROM cobid_elig a
JOIN cobid_elig b ON a.tid = b.tid AND a.fid < b.fid
GROUP BY a.fid, b.fid
HAVING count(*) >= 2;

CREATE OR REPLACE TABLE feat_cobid_pairs AS
WITH firm_n AS (
  SELECT fid, count(*) AS n FROM cobid_elig GROUP BY fid
), firm_market AS (
  SELECT fid, mid, count(*) AS n FROM cobid_elig GROUP BY fid, mid
), market_n AS (
  SELECT mid, count(DISTINCT tid) AS n FROM cobid_elig GROUP BY mid
), expected AS (
  SELECT c.fid_a, c.fid_b, sum(ma.n * mb.n / m.n) AS expected_together
  FROM cobid_pairs c
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
FROM cobid_pairs c
JOIN cobid_firm_ids fa ON fa.fid = c.fid_a
JOIN cobid_firm_ids fb ON fb.fid = c.fid_b
JOIN firm_n na ON na.fid = c.fid_a
JOIN firm_n nb ON nb.fid = c.fid_b
LEFT JOIN expected e ON e.fid_a = c.fid_a AND e.fid_b = c.fid_b;

-- name: read_pairs
-- Pairs with n_together ≥ $min_together, with their shared tenders in time order and who won each, as a
-- string with one letter per tender: a, b, both (x), another firm (o), no winner recorded (n).
-- The shared tenders come from the same self-join, semi-joined to the candidates (cheaper than keeping
-- a list for every pair, or walking each candidate's tenders).
WITH cand AS (
  SELECT * FROM feat_cobid_pairs WHERE n_together >= $min_together
), shared AS (
  SELECT
    a.fid AS fid_a,
    b.fid AS fid_b,
    a.tid,
    CASE
      WHEN a.won AND b.won THEN 'x'
      WHEN a.won THEN 'a'
      WHEN b.won THEN 'b'
      WHEN a.n_winners > 0 THEN 'o'
      ELSE 'n'
    END AS w
  FROM cobid_elig a
  JOIN cobid_elig b ON a.tid = b.tid AND a.fid < b.fid
  SEMI JOIN cand c ON c.fid_a = a.fid AND c.fid_b = b.fid
), lists AS (
  SELECT
    s.fid_a,
    s.fid_b,
    list(t.tender_id ORDER BY s.tid) AS tenders,
    string_agg(s.w, '' ORDER BY s.tid) AS winners
  FROM shared s JOIN cobid_t t USING (tid)
  GROUP BY s.fid_a, s.fid_b
)
SELECT
  c.firm_a, c.firm_b, c.n_together, c.n_a, c.n_b, c.jaccard, c.wins_a, c.wins_b, c.a_lost_to_b,
  c.b_lost_to_a, c.n_decided, c.outsider_wins, c.expected_together, c.lift, l.tenders, l.winners
FROM cand c JOIN lists l USING (fid_a, fid_b)
ORDER BY c.firm_a, c.firm_b;

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

CREATE OR REPLACE TABLE feat_cobid_lost_to AS
SELECT fl.firm_id AS loser, fw.firm_id AS winner, count(*) AS n_tenders
FROM cobid_losses x
JOIN cobid_firm_ids fl ON fl.fid = x.loser
JOIN cobid_firm_ids fw ON fw.fid = x.winner
GROUP BY fl.firm_id, fw.firm_id;

-- name: read_firms
-- Firms with n_bids ≥ $min_firm_bids, with their $top_k most frequent winners (ties by firm id) and:
--   n_lost          tenders the firm lost that have a recorded winner
--   n_lost_to_top   of those, tenders won by one of the top winners
--   baseline_top_share  the share of those tenders the same top winners would take if the firm's
--                   losses were spread like the decided tenders of its markets:
--                   Σ_m (n_lost_m / n_lost) · min(1, wins of top winners in m / decided tenders in m)
WITH cand AS (
  SELECT f.*, i.fid FROM feat_cobid_firms f JOIN cobid_firm_ids i USING (firm_id)
  WHERE f.n_bids >= $min_firm_bids
), lw AS (
  SELECT x.loser, x.winner, count(*) AS n
  FROM cobid_losses x SEMI JOIN cand c ON c.fid = x.loser
  GROUP BY x.loser, x.winner
), n_winners AS (
  SELECT loser, count(*) AS n_distinct_winners FROM lw GROUP BY loser
), top AS (
  SELECT lw.*, fw.firm_id AS winner_id
  FROM lw JOIN cobid_firm_ids fw ON fw.fid = lw.winner
  QUALIFY row_number() OVER (PARTITION BY lw.loser ORDER BY lw.n DESC, fw.firm_id) <= $top_k
), lost AS (
  SELECT DISTINCT x.loser, x.tid, x.mid FROM cobid_losses x SEMI JOIN cand c ON c.fid = x.loser
), lost_n AS (
  SELECT loser, count(*) AS n_lost FROM lost GROUP BY loser
), to_top AS (
  SELECT x.loser, x.winner, x.tid
  FROM cobid_losses x SEMI JOIN top ON top.loser = x.loser AND top.winner = x.winner
), lost_top AS (
  SELECT loser, count(DISTINCT tid) AS n_lost_to_top FROM to_top GROUP BY loser
), top_tenders AS (
  SELECT x.loser, x.winner, list(t.tender_id ORDER BY t.tender_id) AS tenders
  FROM to_top x JOIN cobid_t t USING (tid)
  GROUP BY x.loser, x.winner
), lost_market AS (
  SELECT loser, mid, count(*) AS n FROM lost GROUP BY loser, mid
), market_decided AS (
  SELECT mid, count(*) AS n FROM cobid_tt WHERE n_winners > 0 GROUP BY mid
), market_wins AS (
  SELECT p.fid AS winner, t.mid, count(*) AS n
  FROM cobid_p p JOIN cobid_tt t USING (tid)
  WHERE p.won AND p.fid IN (SELECT winner FROM top)
  GROUP BY p.fid, t.mid
), top_market_share AS (
  SELECT top.loser, w.mid, least(1.0, sum(w.n) / any_value(d.n)) AS share
  FROM top JOIN market_wins w ON w.winner = top.winner JOIN market_decided d ON d.mid = w.mid
  GROUP BY top.loser, w.mid
), baseline AS (
  SELECT lm.loser, sum(lm.n * coalesce(s.share, 0)) / sum(lm.n) AS baseline_top_share
  FROM lost_market lm LEFT JOIN top_market_share s ON s.loser = lm.loser AND s.mid = lm.mid
  GROUP BY lm.loser
), top_lists AS (
  SELECT
    top.loser,
    list(
      struct_pack(firm_id := top.winner_id, n := top.n::INTEGER, tenders := tt.tenders)
      ORDER BY top.n DESC, top.winner_id
    ) AS top_winners
  FROM top JOIN top_tenders tt USING (loser, winner)
  GROUP BY top.loser
)
SELECT
  c.firm_id, c.n_bids, c.n_valid, c.n_disqualified, c.n_wins, c.n_decided,
  coalesce(ln.n_lost, 0) AS n_lost,
  coalesce(nw.n_distinct_winners, 0) AS n_distinct_winners,
  coalesce(lt.n_lost_to_top, 0) AS n_lost_to_top,
  coalesce(b.baseline_top_share, 0) AS baseline_top_share,
  coalesce(tl.top_winners, []) AS top_winners
FROM cand c
LEFT JOIN lost_n ln ON ln.loser = c.fid
LEFT JOIN n_winners nw ON nw.loser = c.fid
LEFT JOIN lost_top lt ON lt.loser = c.fid
LEFT JOIN baseline b ON b.loser = c.fid
LEFT JOIN top_lists tl ON tl.loser = c.fid
ORDER BY c.firm_id;

-- name: upload_pairs
-- Consecutive submissions (by time, per tender) of two different firms no more than $max_gap seconds
-- apart, outside the deadline rush, for pairs doing so in ≥ $min_tenders tenders.
-- Deadline rush: the tender's last $rush_window seconds before its bid deadline (or, when the deadline
-- is unknown, before its last submission) holding ≥ $rush_min_bids submissions; a gap whose later
-- submission falls in that window is not counted. All bids count, disqualified ones too: the upload
-- happens before any evaluation.
CREATE OR REPLACE TABLE feat_upload_pairs AS
WITH s AS (
  SELECT tender_id, bid_id, firm_id, submitted_at, epoch(submitted_at) AS ts
  FROM bids WHERE submitted_at IS NOT NULL
), ref AS (
  SELECT
    s.tender_id,
    count(*) AS n_submitted,
    max(s.ts) - min(s.ts) AS span_s,
    any_value(t.bid_deadline) AS deadline_at,
    coalesce(epoch(any_value(t.bid_deadline)), max(s.ts)) AS deadline_ts
  FROM s LEFT JOIN tenders t USING (tender_id)
  GROUP BY s.tender_id
), rush AS (
  SELECT s.tender_id, count(*) FILTER (WHERE s.ts >= r.deadline_ts - $rush_window) AS n_rush
  FROM s JOIN ref r USING (tender_id)
  GROUP BY s.tender_id
), seq AS (
  SELECT
    tender_id, firm_id, submitted_at, ts,
    lag(firm_id) OVER w AS prev_firm,
    lag(submitted_at) OVER w AS prev_at,
    lag(ts) OVER w AS prev_ts
  FROM s
  WINDOW w AS (PARTITION BY tender_id ORDER BY ts, firm_id, bid_id)
), tight AS (
  SELECT
    least(q.prev_firm, q.firm_id) AS firm_a,
    greatest(q.prev_firm, q.firm_id) AS firm_b,
    q.tender_id,
    q.ts - q.prev_ts AS gap_s,
    q.prev_firm AS first_firm,
    q.prev_at AS first_at,
    q.submitted_at AS second_at,
    r.deadline_ts - q.ts AS to_deadline_s,
    r.n_submitted,
    r.span_s,
    r.deadline_at,
    u.n_rush
  FROM seq q JOIN ref r USING (tender_id) JOIN rush u USING (tender_id)
  WHERE q.prev_firm IS NOT NULL
    AND q.prev_firm <> q.firm_id
    AND q.ts - q.prev_ts <= $max_gap
    AND NOT (q.ts >= r.deadline_ts - $rush_window AND u.n_rush >= $rush_min_bids)
  -- One row per pair and tender (a firm that re-submitted could pair twice): the tightest gap.
  QUALIFY row_number() OVER (
    PARTITION BY least(q.prev_firm, q.firm_id), greatest(q.prev_firm, q.firm_id), q.tender_id
    ORDER BY q.ts - q.prev_ts, q.ts
  ) = 1
)
SELECT * FROM tight
QUALIFY count(*) OVER (PARTITION BY firm_a, firm_b) >= $min_tenders;

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
WITH bt AS (
  SELECT
    b.bid_id, b.tender_id, b.firm_id, b.project_manager_id,
    coalesce(b.submitted_at, t.bid_deadline, t.published_at) AS bid_time,
    CASE
      WHEN b.submitted_at IS NOT NULL THEN 'submitted_at'
      WHEN t.bid_deadline IS NOT NULL THEN 'bid_deadline'
      WHEN t.published_at IS NOT NULL THEN 'published_at'
    END AS time_basis
  FROM bids b LEFT JOIN tenders t USING (tender_id)
), reps AS (
  SELECT firm_id, legal_rep_id AS person_id FROM firms WHERE legal_rep_id IS NOT NULL
  UNION
  SELECT firm_id, person_id FROM firm_people WHERE role = 'legal_rep'
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
