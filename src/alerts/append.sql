-- name: table_columns
-- A main-schema table's columns in table order (append.ts checks them before appending whole rows).
SELECT column_name FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $table
ORDER BY column_index;
