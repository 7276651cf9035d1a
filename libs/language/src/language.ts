import * as languages from '@cospired/i18n-iso-languages';
import type { MetricsRegistry } from '@sc/observability';

/**
 * A language as this product speaks it: the lower-case ISO 639-1 code (`es`), or, for a value no
 * code table names, the value as it was given (a code-shaped one lower-cased, so `HMN` and `hmn`
 * compare equal). `recognised` says which; an unrecognised value is kept, never dropped, and the
 * caller reports it.
 */
export interface CanonicalLanguage {
  code: string;
  recognised: boolean;
}

/** Where a language entered the system, for counting unrecognised values by source. */
export type LanguageSource = 'hl7-pid-15' | 'roster' | 'pharmacist-profile' | 'nurse-profile' | 'encounter-event';

const fold = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/\s+language$/, '')
    .trim();

/**
 * Language names in every locale the package ships (English first, so an English name wins a
 * clash), folded: `Spanish`, `español`, `Espagnol` all name `es`.
 */
const BY_NAME: ReadonlyMap<string, string> = (() => {
  const byName = new Map<string, string>();
  const locales = ['en', ...languages.langs().filter((locale) => locale !== 'en')];
  for (const locale of locales) {
    for (const [alpha2, names] of Object.entries(languages.getNames(locale) as Record<string, string | string[]>)) {
      for (const name of Array.isArray(names) ? names : [names]) {
        const key = fold(name);
        if (key && !byName.has(key)) {
          byName.set(key, alpha2);
        }
      }
    }
  }
  return byName;
})();

/** One candidate value (a code or a name) as an ISO 639-1 code, or undefined. */
function lookUp(candidate: string): string | undefined {
  // BCP 47 tags (`es-MX`, `zh_Hant`) keep their primary language subtag.
  const code = candidate.split(/[-_]/)[0].toLowerCase();
  if (/^[a-z]{2}$/.test(code) && languages.isValid(code)) {
    return code;
  }
  if (/^[a-z]{3}$/.test(code)) {
    // ISO 639-2/B (`ger`, `chi`) and 639-2/T, which is also the 639-3 code of these languages (`deu`, `zho`, `spa`).
    const alpha2 = languages.alpha3BToAlpha2(code) ?? languages.alpha3TToAlpha2(code);
    if (alpha2) {
      return alpha2;
    }
  }
  return BY_NAME.get(fold(candidate));
}

/**
 * The canonical language of a value as any source sends it: an ISO 639-1, 639-2/B, 639-2/T or
 * 639-3 code (HL7 table 0296 values are ISO 639 codes), a BCP 47 tag, an English or other
 * name, or an HL7 CE/CWE (`SPA^Spanish^ISO639`, `^Spanish`, `^^^es^Spanish^ISO639-1`) whose code
 * or text may sit in any component. Null for an empty value.
 */
export function canonicalLanguage(raw: string | null | undefined): CanonicalLanguage | null {
  const given = raw?.trim();
  if (!given) {
    return null;
  }
  const components = given.split('^').map((component) => component.split('&')[0].trim());
  // Identifier components (1, 4) before text (2, 5), so a code beats a free-text name.
  const candidates = [components[0], components[3], components[1], components[4]].filter((candidate): candidate is string => Boolean(candidate));
  for (const candidate of candidates) {
    const code = lookUp(candidate);
    if (code) {
      return { code, recognised: true };
    }
  }
  const kept = candidates[0] ?? given;
  return { code: /^[a-z]{2,3}$/i.test(kept) ? kept.toLowerCase() : kept, recognised: false };
}

/** The canonical code of a value, or null for an empty one (unrecognised values are kept as given). */
export function languageCode(raw: string | null | undefined): string | null {
  return canonicalLanguage(raw)?.code ?? null;
}

/** A list of languages (a profile's) as distinct canonical codes, in the order given. */
export function languageCodes(raws: readonly string[]): CanonicalLanguage[] {
  const seen = new Map<string, CanonicalLanguage>();
  for (const raw of raws) {
    const language = canonicalLanguage(raw);
    if (language && !seen.has(language.code)) {
      seen.set(language.code, language);
    }
  }
  return [...seen.values()];
}

/**
 * Counts values kept as given because no code table names them, by where they entered; the
 * values themselves are never labels or log fields (they come from patient records).
 */
export function unrecognisedLanguages(metrics: MetricsRegistry): { report(source: LanguageSource, language: CanonicalLanguage | null): void } {
  const counter = metrics.counter('sc_languages_unrecognised_total', 'Language values no ISO 639 table names, kept as given, by where they entered.');
  return {
    report(source, language) {
      if (language && !language.recognised) {
        counter.inc({ source });
      }
    },
  };
}
