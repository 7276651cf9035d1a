/**
 * Minimum necessary, checked at the door. A notification carries a title, an urgency, a due time
 * and a link; the request type has no field for diagnoses or notes, and this guard catches the
 * remaining way in: a title (or link) that spells one out. Titles are fixed strings chosen by the
 * producing service, so a match is a producer bug; the request is refused (dead-lettered with the
 * code) rather than delivered or silently rewritten.
 */

export const MAX_TITLE_LENGTH = 160;

/** ICD-10-CM style codes (I25.10, F32, Z21): a letter, two characters, optional subcategory. */
const DIAGNOSIS_CODE = /\b[A-TV-Z][0-9][0-9AB](?:\.[0-9A-Z]{1,4})?\b/;

/**
 * Categories with special protection (HIV, substance use under 42 CFR Part 2, mental health,
 * reproductive and genetic information, cancer) and words that announce a diagnosis.
 */
const SENSITIVE_TERMS = new RegExp(
  [
    'hiv',
    'aids',
    'hepatitis',
    'std',
    'sti',
    'sexually transmitted',
    'substance',
    'alcohol',
    'opioid',
    'overdose',
    'addiction',
    'methadone',
    'buprenorphine',
    'psychiatr\\w*',
    'mental health',
    'depress\\w*',
    'schizo\\w*',
    'bipolar',
    'suicid\\w*',
    'pregnan\\w*',
    'abortion',
    'miscarriage',
    'genetic',
    'cancer',
    'oncolog\\w*',
    'tumou?r',
    'chemo\\w*',
    'diagnos\\w*',
    'dx',
  ]
    .map((term) => `\\b${term}\\b`)
    .join('|'),
  'i',
);

/** A path inside the owning service (`/v1/tasks/<id>`): no host, query or fragment, which could carry identifiers. */
const LINK = /^\/[A-Za-z0-9._~/-]{1,300}$/;

/** CR, LF and other control characters could inject headers into an email. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

export type ContentViolation =
  | 'TITLE_EMPTY'
  | 'TITLE_TOO_LONG'
  | 'TITLE_HAS_CONTROL_CHARACTER'
  | 'TITLE_HAS_DIAGNOSIS_CODE'
  | 'TITLE_HAS_SENSITIVE_TERM'
  | 'LINK_NOT_A_PATH';

export function titleViolation(title: string): ContentViolation | null {
  const trimmed = title.trim();
  if (trimmed.length === 0) {
    return 'TITLE_EMPTY';
  }
  if (trimmed.length > MAX_TITLE_LENGTH) {
    return 'TITLE_TOO_LONG';
  }
  if (CONTROL_CHARACTER.test(trimmed)) {
    return 'TITLE_HAS_CONTROL_CHARACTER';
  }
  if (DIAGNOSIS_CODE.test(trimmed)) {
    return 'TITLE_HAS_DIAGNOSIS_CODE';
  }
  if (SENSITIVE_TERMS.test(trimmed)) {
    return 'TITLE_HAS_SENSITIVE_TERM';
  }
  return null;
}

export function linkViolation(link: string): ContentViolation | null {
  return LINK.test(link) && !link.includes('..') ? null : 'LINK_NOT_A_PATH';
}
