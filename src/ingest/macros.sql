-- Value normalisation used by ingest. Each macro takes raw text and returns the typed value or NULL;
-- ingest reports a reason when a non-empty input gives NULL.

-- Trim, fold full-width digits/punctuation to ASCII, empty → NULL. Written for speed, with the result of
-- nullif(trim(translate(s, '０１２３４５６７８９．，－＋：／　', '0123456789.,-+:/ ')), ''): translate() and trim()
-- copy every value, so they run only where they can change it. ASCII text (byte length = character count)
-- holds none of the full-width characters, and its only character trim() removes is the space. Other text is
-- changed only where it holds one of the full-width characters or starts or ends with a character trim()
-- removes (Unicode category Zs, `\p{Zs}` in RE2), all found by one regular expression.
CREATE OR REPLACE MACRO bw_text(s) AS
  nullif(CASE
    WHEN strlen(s::VARCHAR) = length(s::VARCHAR) THEN
      CASE WHEN starts_with(s::VARCHAR, ' ') OR ends_with(s::VARCHAR, ' ') THEN trim(s::VARCHAR) ELSE s::VARCHAR END
    WHEN regexp_matches(s::VARCHAR, '[０１２３４５６７８９．，－＋：／　]|^\p{Zs}|\p{Zs}$')
      THEN trim(translate(s::VARCHAR, '０１２３４５６７８９．，－＋：／　', '0123456789.,-+:/ '))
    ELSE s::VARCHAR
  END, '');

-- The *_t macros take text already through bw_text (ingest computes it once per value); bw_text is
-- idempotent, so bw_x(s) = bw_x_t(bw_text(s)). The bw_x(s) macros are written that way with a lambda,
-- `list_transform([bw_text(s)], lambda t: bw_x_t(t))[1]`: DuckDB expands a macro inline, once per use of
-- its parameter, so plain nesting copies bw_text (itself using s eleven times) into every use of t, and
-- hundreds of copies made creating bw_ts alone take about 0.2 s (issue 5). The lambda takes the value once.

-- Number text: drop thousands separators, currency signs, spaces and a trailing 元. Each replacement runs
-- only where its pattern occurs (regexp_replace is costly per value; without a match it returns its input).
-- The occurrence tests are plain string searches, cheaper than a regular expression: `\s` is [\t\n\f\r ]
-- (RE2), and `$` the end of the text.
CREATE OR REPLACE MACRO bw_num_strip_t(t) AS
  CASE WHEN contains(t, ',') OR contains(t, ' ') OR contains(t, chr(9)) OR contains(t, chr(10))
      OR contains(t, chr(12)) OR contains(t, chr(13)) OR contains(t, '¥') OR contains(t, '￥')
    THEN regexp_replace(t, '[,\s¥￥]', '', 'g') ELSE t END;

CREATE OR REPLACE MACRO bw_num_yuan_t(x) AS
  CASE WHEN ends_with(x, '元') THEN regexp_replace(x, '元$', '') ELSE x END;

CREATE OR REPLACE MACRO bw_num_text_t(t) AS bw_num_yuan_t(bw_num_strip_t(t));

CREATE OR REPLACE MACRO bw_num_text(s) AS list_transform([bw_text(s)], lambda t: bw_num_text_t(t))[1];

CREATE OR REPLACE MACRO bw_num(s) AS try_cast(bw_num_text(s) AS DOUBLE);

-- Unified social credit code, GB 32100-2015 (mirrors src/domain/uscc.ts). The weighted sum is written out
-- (no lambda), so a value is read once per character instead of once per list element.
CREATE OR REPLACE MACRO bw_uscc_valid(s) AS
  length(s) = 18
  AND regexp_full_match(s, '[0-9A-HJ-NPQRTUWXY]{18}')
  AND substr('0123456789ABCDEFGHJKLMNPQRTUWXY',
        ((31 - (((strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', s[1]) - 1) * 1 + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', s[2]) - 1) * 3 +
            (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', s[3]) - 1) * 9 + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', s[4]) - 1) * 27 +
            (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', s[5]) - 1) * 19 + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', s[6]) - 1) * 26 +
            (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', s[7]) - 1) * 16 + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', s[8]) - 1) * 17 +
            (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', s[9]) - 1) * 20 + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', s[10]) - 1) * 29 +
            (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', s[11]) - 1) * 25 + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', s[12]) - 1) * 13 +
            (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', s[13]) - 1) * 8 + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', s[14]) - 1) * 24 +
            (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', s[15]) - 1) * 10 + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', s[16]) - 1) * 30 +
            (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', s[17]) - 1) * 28)::BIGINT % 31)) % 31 + 1)::BIGINT, 1) = s[18];

-- Timestamps: offset given → that instant; otherwise local Asia/Shanghai time. Seconds optional,
-- one-digit months/days/hours accepted, '/', '-', '.' and 年月日 separators.
-- bw_ts_text_t(t) = bw_ts_ws_t(bw_ts_z_t(bw_ts_sep_t(t))); each step runs only where it can change something,
-- tested with plain string searches (cheaper than a regular expression). The replacements of 年月日 run on any
-- non-ASCII text (byte length ≠ character count), where they change nothing unless it holds one of them.
CREATE OR REPLACE MACRO bw_ts_sep_t(t) AS
  CASE WHEN contains(t, '/') OR strlen(t) <> length(t)
    THEN replace(replace(replace(replace(t, '年', '-'), '月', '-'), '日', ' '), '/', '-') ELSE t END;

CREATE OR REPLACE MACRO bw_ts_z_t(x) AS
  CASE WHEN ends_with(x, 'Z') THEN regexp_replace(x, 'Z$', '+00:00') ELSE x END;

-- Runs of whitespace ([\t\n\f\r ], RE2's \s) → one space (unchanged when every run already is one space).
CREATE OR REPLACE MACRO bw_ts_ws_t(x) AS
  CASE WHEN contains(x, '  ') OR contains(x, chr(9)) OR contains(x, chr(10)) OR contains(x, chr(12))
      OR contains(x, chr(13))
    THEN regexp_replace(x, '\s+', ' ', 'g') ELSE x END;

CREATE OR REPLACE MACRO bw_ts_text_t(t) AS bw_ts_ws_t(bw_ts_z_t(bw_ts_sep_t(t)));

CREATE OR REPLACE MACRO bw_ts_text(s) AS list_transform([bw_text(s)], lambda t: bw_ts_text_t(t))[1];

-- x = trim(bw_ts_text(s)).
CREATE OR REPLACE MACRO bw_ts_parse(x) AS
  CASE
    WHEN regexp_matches(x, '[+-]\d{2}(:?\d{2})?$') AND regexp_matches(x, '\d[ T]\d')
      THEN try_strptime(x,
        ['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%d %H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%d %H:%M:%S.%f%z',
         '%Y-%m-%dT%H:%M%z', '%Y-%m-%d %H:%M%z'])
    ELSE timezone('Asia/Shanghai', try_strptime(x,
        ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M', '%Y-%m-%d %H:%M:%S.%f',
         '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%d', '%Y%m%d%H%M%S', '%Y%m%d', '%Y.%m.%d %H:%M:%S', '%Y.%m.%d']))
  END;

CREATE OR REPLACE MACRO bw_ts(s) AS list_transform([trim(bw_ts_text(s))], lambda x: bw_ts_parse(x))[1];

-- A plausible time: year (in the session time zone) from 1990 to 2100. Compared with the bounds of that
-- range rather than with year(t), which costs a calendar computation per value.
CREATE OR REPLACE MACRO bw_ts_ok(t) AS
  t IS NOT NULL AND t >= make_timestamptz(1990, 1, 1, 0, 0, 0) AND t < make_timestamptz(2101, 1, 1, 0, 0, 0);

-- x = trim(bw_ts_text(s)).
CREATE OR REPLACE MACRO bw_date_parse(x) AS
  try_cast(try_strptime(x, ['%Y-%m-%d', '%Y%m%d', '%Y.%m.%d', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M']) AS DATE);

CREATE OR REPLACE MACRO bw_date(s) AS list_transform([trim(bw_ts_text(s))], lambda x: bw_date_parse(x))[1];

-- One CASE over the labels rather than `lower(t) IN (…)`, which DuckDB plans as a join with the list (a hash
-- probe per value, about twice the cost).
CREATE OR REPLACE MACRO bw_bool_t(t) AS
  CASE lower(t)
    WHEN '1' THEN true WHEN 'true' THEN true WHEN 't' THEN true WHEN 'y' THEN true WHEN 'yes' THEN true
    WHEN '是' THEN true WHEN '中标' THEN true WHEN '√' THEN true
    WHEN '0' THEN false WHEN 'false' THEN false WHEN 'f' THEN false WHEN 'n' THEN false WHEN 'no' THEN false
    WHEN '否' THEN false WHEN '未中标' THEN false WHEN '×' THEN false
  END;

CREATE OR REPLACE MACRO bw_bool(s) AS list_transform([bw_text(s)], lambda t: bw_bool_t(t))[1];

-- MAC: 12 hex digits in any separator style → 'AA:BB:CC:DD:EE:FF'; anything else is kept upper-cased.
-- Text already in that form is returned as it is (what the general rule gives it).
CREATE OR REPLACE MACRO bw_mac_t(t) AS
  CASE
    WHEN regexp_full_match(t, '[0-9A-F]{2}(?::[0-9A-F]{2}){5}') THEN t
    WHEN regexp_full_match(regexp_replace(t, '[\s:.\-]', '', 'g'), '[0-9A-Fa-f]{12}')
      THEN array_to_string(regexp_extract_all(upper(regexp_replace(t, '[\s:.\-]', '', 'g')), '..'), ':')
    ELSE upper(t)
  END;

CREATE OR REPLACE MACRO bw_mac(s) AS list_transform([bw_text(s)], lambda t: bw_mac_t(t))[1];

-- Identifiers: trimmed, full-width folded, upper-cased (credit codes and ID numbers use upper-case letters).
CREATE OR REPLACE MACRO bw_id(s) AS upper(bw_text(s));

-- A text that parses as a JSON object (CASE evaluates the cast only for valid JSON).
CREATE OR REPLACE MACRO bw_json_object(s) AS
  CASE WHEN json_valid(s) THEN json_type(s::JSON) = 'OBJECT' ELSE false END;
