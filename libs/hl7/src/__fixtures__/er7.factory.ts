import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Field values by 1-based position; `undefined` leaves the field empty. For MSH, start at 3. */
export type Fields = Readonly<Record<number, string | undefined>>;

/** One ER7 segment with the standard delimiters. */
export function segment(id: string, fields: Fields = {}): string {
  const first = id === 'MSH' ? 3 : 1;
  const last = Math.max(first - 1, ...Object.keys(fields).map(Number));
  const values: string[] = [];
  for (let position = first; position <= last; position += 1) {
    values.push(fields[position] ?? '');
  }
  return [id === 'MSH' ? 'MSH|^~\\&' : id, ...values].join('|');
}

/** Segments joined into a message, each ending in CR. */
export function er7(...segments: string[]): string {
  return segments.map((s) => `${s}\r`).join('');
}

const DEFAULTS = {
  MSH: { 3: 'EPICADT', 4: 'LGH', 5: 'SYNCCARE', 6: 'SYNCCARE', 7: '20261120143100-0600', 9: 'ADT^A03^ADT_A03', 10: 'CTRL0001', 11: 'P', 12: '2.5.1' },
  EVN: { 1: 'A03', 2: '20261120143100-0600', 6: '20261120142500-0600' },
  PID: { 1: '1', 3: 'MRN001^^^LGH^MR', 5: 'DOE^JANE^Q', 7: '19700101', 8: 'F' },
  PV1: { 1: '1', 2: 'I', 3: 'CARD^412^B^LGH', 19: 'V001', 44: '20261117083000-0600', 45: '20261120142500-0600' },
} satisfies Record<string, Fields>;

export interface AdtParts {
  readonly msh?: Fields;
  readonly evn?: Fields;
  readonly pid?: Fields;
  readonly pv1?: Fields;
  /** Segments appended after PV1. */
  readonly segments?: readonly string[];
  /** Standard segments to leave out. */
  readonly without?: ReadonlyArray<'EVN' | 'PID' | 'PV1'>;
}

/** A small, valid A03 with the given fields changed. */
export function adtMessage(parts: AdtParts = {}): string {
  const standard = [
    segment('MSH', { ...DEFAULTS.MSH, ...parts.msh }),
    ...(parts.without?.includes('EVN') ? [] : [segment('EVN', { ...DEFAULTS.EVN, ...parts.evn })]),
    ...(parts.without?.includes('PID') ? [] : [segment('PID', { ...DEFAULTS.PID, ...parts.pid })]),
    ...(parts.without?.includes('PV1') ? [] : [segment('PV1', { ...DEFAULTS.PV1, ...parts.pv1 })]),
  ];
  return er7(...standard, ...(parts.segments ?? []));
}

/** One of the synthetic shared fixtures, e.g. `jason-a03-discharge`. */
export function fixture(name: 'jason-a01-admit' | 'jason-a03-discharge' | 'jason-a13-cancel-discharge'): string {
  return readFileSync(path.join(__dirname, `${name}.hl7`), 'utf8');
}
