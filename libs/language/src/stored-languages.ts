import { languageCode, languageCodes } from './language';

type Query = (sql: string, parameters?: unknown[]) => Promise<Array<Record<string, unknown>>>;

/**
 * Rewrites languages stored before they were normalised where they enter (`spa`,
 * `SPA^Spanish^ISO639`) as canonical codes, for a migration: `single` columns hold one language,
 * `lists` columns a text[] of them in rows keyed by `id`. Table and column names are the
 * migration's own constants.
 */
export async function rewriteStoredLanguages(
  query: Query,
  { single = [], lists = [] }: { single?: ReadonlyArray<readonly [table: string, column: string]>; lists?: ReadonlyArray<readonly [table: string, column: string]> },
): Promise<void> {
  for (const [table, column] of single) {
    for (const { value } of await query(`SELECT DISTINCT ${column} AS value FROM ${table} WHERE ${column} IS NOT NULL`)) {
      const code = languageCode(value as string);
      if (code !== value) {
        await query(`UPDATE ${table} SET ${column} = $2 WHERE ${column} = $1`, [value, code]);
      }
    }
  }
  for (const [table, column] of lists) {
    for (const { id, languages } of await query(`SELECT id, ${column} AS languages FROM ${table}`)) {
      const stored = languages as string[];
      const codes = languageCodes(stored).map((language) => language.code);
      if (codes.join() !== stored.join()) {
        await query(`UPDATE ${table} SET ${column} = $2 WHERE id = $1`, [id, codes]);
      }
    }
  }
}
