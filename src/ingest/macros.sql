-- Value normalisation used by ingest. Each macro takes raw text and returns the typed value or NULL;
-- ingest reports a reason when a non-empty input gives NULL.

-- Trim, fold full-width digits/punctuation to ASCII, empty → NULL.
CREATE OR REPLACE MACRO bw_text(s) AS
  nullif(trim(translate(s::VARCHAR, '０１２３４５６７８９．，－＋：／　', '0123456789.,-+:/ ')), '');

-- Number text: drop thousands separators, currency signs, spaces and a trailing 元.
CREATE OR REPLACE MACRO bw_num_text(s) AS
  regexp_replace(regexp_replace(bw_text(s), '[,\s¥￥]', '', 'g'), '元$', '');

CREATE OR REPLACE MACRO bw_num(s) AS try_cast(bw_num_text(s) AS DOUBLE);

-- Unified social credit code, GB 32100-2015 (mirrors src/domain/uscc.ts).
CREATE OR REPLACE MACRO bw_uscc_valid(s) AS
  length(s) = 18
  AND regexp_full_match(s, '[0-9A-HJ-NPQRTUWXY]{18}')
  AND substr('0123456789ABCDEFGHJKLMNPQRTUWXY',
        ((31 - (list_sum(list_transform(range(17), i ->
            (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', s[i + 1]) - 1) *
            [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28][i + 1]))::BIGINT % 31)) % 31 + 1)::BIGINT, 1) = s[18];

-- Timestamps: offset given → that instant; otherwise local Asia/Shanghai time. Seconds optional,
-- one-digit months/days/hours accepted, '/', '-', '.' and 年月日 separators.
CREATE OR REPLACE MACRO bw_ts_text(s) AS
  regexp_replace(regexp_replace(replace(replace(replace(replace(bw_text(s), '年', '-'), '月', '-'), '日', ' '), '/', '-'),
    'Z$', '+00:00'), '\s+', ' ', 'g');

CREATE OR REPLACE MACRO bw_ts(s) AS
  CASE
    WHEN regexp_matches(trim(bw_ts_text(s)), '[+-]\d{2}(:?\d{2})?$') AND regexp_matches(trim(bw_ts_text(s)), '\d[ T]\d')
      THEN try_strptime(trim(bw_ts_text(s)),
        ['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%d %H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%d %H:%M:%S.%f%z',
         '%Y-%m-%dT%H:%M%z', '%Y-%m-%d %H:%M%z'])
    ELSE timezone('Asia/Shanghai', try_strptime(trim(bw_ts_text(s)),
        ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M', '%Y-%m-%d %H:%M:%S.%f',
         '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%d', '%Y%m%d%H%M%S', '%Y%m%d', '%Y.%m.%d %H:%M:%S', '%Y.%m.%d']))
  END;

CREATE OR REPLACE MACRO bw_ts_ok(t) AS t IS NOT NULL AND year(t) BETWEEN 1990 AND 2100;

CREATE OR REPLACE MACRO bw_date(s) AS
  try_cast(try_strptime(trim(bw_ts_text(s)), ['%Y-%m-%d', '%Y%m%d', '%Y.%m.%d', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M']) AS DATE);

CREATE OR REPLACE MACRO bw_bool(s) AS
  CASE
    WHEN lower(bw_text(s)) IN ('1', 'true', 't', 'y', 'yes', '是', '中标', '√') THEN true
    WHEN lower(bw_text(s)) IN ('0', 'false', 'f', 'n', 'no', '否', '未中标', '×') THEN false
  END;

-- MAC: 12 hex digits in any separator style → 'AA:BB:CC:DD:EE:FF'; anything else is kept upper-cased.
CREATE OR REPLACE MACRO bw_mac(s) AS
  CASE
    WHEN regexp_full_match(regexp_replace(bw_text(s), '[\s:.\-]', '', 'g'), '[0-9A-Fa-f]{12}')
      THEN array_to_string(regexp_extract_all(upper(regexp_replace(bw_text(s), '[\s:.\-]', '', 'g')), '..'), ':')
    ELSE upper(bw_text(s))
  END;

-- Identifiers: trimmed, full-width folded, upper-cased (credit codes and ID numbers use upper-case letters).
CREATE OR REPLACE MACRO bw_id(s) AS upper(bw_text(s));

-- A text that parses as a JSON object (CASE evaluates the cast only for valid JSON).
CREATE OR REPLACE MACRO bw_json_object(s) AS
  CASE WHEN json_valid(s) THEN json_type(s::JSON) = 'OBJECT' ELSE false END;
