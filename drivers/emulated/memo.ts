/**
 * The emulated implementations' memo tables (a parsed origin, a profile body already read, a cipher per
 * key, a query already decoded, a prebuilt answer): module-level, so they outlive one run. They are all
 * created here so that a process running the plan many times over changing code can start each run cold:
 * the mutation runner (stryker/harness-runner.mjs) clears them before every mutant, since a table filled by
 * an earlier run would answer without running the mutated code.
 */
const tables = new Set<Map<unknown, unknown>>();

/** A new memo table, cleared by {@link clearMemoTables}. */
export function memoTable<K, V>(): Map<K, V> {
  const table = new Map<K, V>();
  tables.add(table as Map<unknown, unknown>);
  return table;
}

/** Empties every memo table: what the next run reads, it computes again. */
export function clearMemoTables(): void {
  for (const table of tables) table.clear();
}
