/**
 * Masking of personal and financial identifiers for human-readable text and logs: ID numbers, bank
 * accounts and phone numbers keep their first and last four characters (3301**********1234). Evidence
 * `facts` keep exact values for the analyst; texts and logs never show them whole.
 */
export function maskMiddle(value: string, keep = 4): string {
  const v = value.trim();
  if (v.length <= keep * 2)
    return v.length <= 2 ? "*".repeat(v.length) : `${v[0]}${"*".repeat(v.length - 2)}${v[v.length - 1]}`;
  return `${v.slice(0, keep)}${"*".repeat(v.length - keep * 2)}${v.slice(-keep)}`;
}

/** Fields whose values are personal or financial data and are masked in texts. */
export const SENSITIVE_FIELDS: ReadonlySet<string> = new Set([
  "bond_account",
  "project_manager_id",
  "contact_phone",
  "person_id",
  "legal_rep_id",
]);

export function displayValue(field: string, value: string): string {
  return SENSITIVE_FIELDS.has(field) ? maskMiddle(value, field === "contact_phone" ? 3 : 4) : value;
}
