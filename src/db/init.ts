/** Creates bidwatch's tables and SQL macros in a database (idempotent). */
import { initOutbox } from "../alerts/outbox.ts";
import { initAlertStore } from "../alerts/store.ts";
import { CATEGORY_ALIASES, ROLE_ALIASES, SUBJECT_TYPE_ALIASES } from "../ingest/columns.ts";
import { type Db, sqlFile } from "./duckdb.ts";

export async function initDb(db: Db): Promise<void> {
  await db.exec(sqlFile(import.meta.url, "schema.sql"));
  await db.exec(sqlFile(new URL("../ingest/", import.meta.url).href, "macros.sql"));
  await initAlertStore(db);
  await initOutbox(db);
  await db.exec("CREATE OR REPLACE TEMP TABLE bw_labels (kind VARCHAR, label VARCHAR, value VARCHAR)");
  const rows: [string, string, string][] = [];
  const add = (kind: string, table: Readonly<Record<string, readonly string[]>>) => {
    for (const [value, labels] of Object.entries(table)) {
      for (const label of [value, ...labels]) rows.push([kind, label.toLowerCase(), value]);
    }
  };
  add("category", CATEGORY_ALIASES);
  add("role", ROLE_ALIASES);
  add("subject_type", SUBJECT_TYPE_ALIASES);
  const stmt = await db.conn.prepare("INSERT INTO bw_labels VALUES ($1, $2, $3)");
  for (const r of rows) {
    stmt.bind(r);
    await stmt.run();
  }
}
