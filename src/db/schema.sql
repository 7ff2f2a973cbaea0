-- bidwatch's own tables. Canonical input tables hold the current version of each row;
-- *_history keeps every version a later batch replaced. `_file_id`/`_line` point back at the input.
CREATE SEQUENCE IF NOT EXISTS file_id_seq START 1;
CREATE SEQUENCE IF NOT EXISTS run_id_seq START 1;

CREATE TABLE IF NOT EXISTS ingest_files (
  file_id      INTEGER PRIMARY KEY,
  run_id       INTEGER,
  path         VARCHAR NOT NULL,
  name         VARCHAR NOT NULL,
  table_name   VARCHAR NOT NULL,
  format       VARCHAR NOT NULL,
  encoding     VARCHAR,
  sha256       VARCHAR NOT NULL,
  size_bytes   BIGINT NOT NULL,
  n_read       BIGINT NOT NULL,
  n_loaded     BIGINT NOT NULL,
  n_updated    BIGINT NOT NULL,
  n_rejected   BIGINT NOT NULL,
  n_duplicate  BIGINT NOT NULL,
  ignored_columns VARCHAR[],
  ingested_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS rejects (
  file_id    INTEGER NOT NULL,
  file       VARCHAR NOT NULL,
  line       BIGINT,
  table_name VARCHAR NOT NULL,
  reason     VARCHAR NOT NULL,
  raw        VARCHAR
);

CREATE TABLE IF NOT EXISTS tenders (
  tender_id VARCHAR NOT NULL, title VARCHAR, region VARCHAR, category VARCHAR, method VARCHAR,
  tenderee_id VARCHAR, agency_id VARCHAR, ceiling_price DECIMAL(18, 2), published_at TIMESTAMPTZ,
  bid_deadline TIMESTAMPTZ, evaluation_method VARCHAR, award_price DECIMAL(18, 2),
  _file_id INTEGER, _line BIGINT, _derived BOOLEAN DEFAULT false
);

CREATE TABLE IF NOT EXISTS bids (
  bid_id VARCHAR NOT NULL, tender_id VARCHAR NOT NULL, firm_id VARCHAR NOT NULL, price DECIMAL(18, 2) NOT NULL,
  firm_name VARCHAR, submitted_at TIMESTAMPTZ, ip VARCHAR, mac VARCHAR, hardware_id VARCHAR,
  software_lock_id VARCHAR, file_hash VARCHAR, file_author VARCHAR, bond_account VARCHAR,
  project_manager_id VARCHAR, contact_phone VARCHAR, is_winner BOOLEAN, disqualified BOOLEAN,
  disqualify_reason VARCHAR,
  _file_id INTEGER, _line BIGINT
);

CREATE TABLE IF NOT EXISTS firms (
  firm_id VARCHAR NOT NULL, name VARCHAR, legal_rep_id VARCHAR, phone VARCHAR, address VARCHAR,
  region VARCHAR, established_at DATE,
  _file_id INTEGER, _line BIGINT, _derived BOOLEAN DEFAULT false
);

CREATE TABLE IF NOT EXISTS firm_people (
  firm_id VARCHAR NOT NULL, person_id VARCHAR NOT NULL, role VARCHAR NOT NULL,
  _file_id INTEGER, _line BIGINT
);

CREATE TABLE IF NOT EXISTS sanctions (
  subject_id VARCHAR NOT NULL, subject_type VARCHAR NOT NULL, reason VARCHAR, start_date DATE, end_date DATE,
  _file_id INTEGER, _line BIGINT
);

CREATE TABLE IF NOT EXISTS tenders_history AS SELECT *, 0::INTEGER AS _superseded_by_file FROM tenders WHERE false;
CREATE TABLE IF NOT EXISTS bids_history AS SELECT *, 0::INTEGER AS _superseded_by_file FROM bids WHERE false;
CREATE TABLE IF NOT EXISTS firms_history AS SELECT *, 0::INTEGER AS _superseded_by_file FROM firms WHERE false;
CREATE TABLE IF NOT EXISTS firm_people_history AS SELECT *, 0::INTEGER AS _superseded_by_file FROM firm_people WHERE false;
CREATE TABLE IF NOT EXISTS sanctions_history AS SELECT *, 0::INTEGER AS _superseded_by_file FROM sanctions WHERE false;

CREATE TABLE IF NOT EXISTS runs (
  run_id     INTEGER PRIMARY KEY,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  summary    JSON
);
