import { DEFAULT_DELIMITERS, readDelimiters, type Hl7Delimiters } from './delimiters';
import { escapeHl7, unescapeHl7 } from './escaping';

const SSN_MASK = '***-**-****';

/** Fields that hold nothing but an SSN (ST). */
const SSN_FIELDS: Readonly<Record<string, readonly number[]>> = {
  PID: [19],
  NK1: [37],
  GT1: [12],
  IN2: [2],
};

/** CX fields whose repetitions of identifier type SS hold an SSN in CX.1. */
const IDENTIFIER_FIELDS: Readonly<Record<string, readonly number[]>> = {
  PID: [2, 3, 4, 18, 21],
  MRG: [1, 2, 3, 4, 5, 6],
  NK1: [33],
};

const SSN_IDENTIFIER_TYPES = new Set(['SS', 'SSN']);

/**
 * Masks Social Security numbers in raw ER7 text, before it is stored or logged: every value in
 * PID-19 (and NK1-37, GT1-12, IN2-2) and CX.1 of every identifier of type SS in PID-2/3/4/18/21,
 * MRG-1..6 and NK1-33 becomes `***-**-****`. Delimiters, segment terminators and everything else
 * are kept byte for byte, so the result parses like the original.
 *
 * Never throws: text without a readable MSH is masked assuming the standard delimiters.
 */
export function maskSsn(rawEr7: string): string {
  let delimiters = DEFAULT_DELIMITERS;
  // The capture group keeps the terminators in the array, so joining gives the original line endings back.
  const pieces = rawEr7.split(/(\r\n|\r|\n)/);
  for (let i = 0; i < pieces.length; i += 2) {
    const line = pieces[i];
    const id = line.replace(/^\uFEFF/, '').slice(0, 3);
    if (id === 'MSH') {
      delimiters = readDelimiters(line.replace(/^\uFEFF/, '')) ?? DEFAULT_DELIMITERS;
      continue;
    }
    if (SSN_FIELDS[id] || IDENTIFIER_FIELDS[id]) {
      pieces[i] = maskSegment(line, id, delimiters);
    }
  }
  return pieces.join('');
}

function maskSegment(line: string, id: string, delimiters: Hl7Delimiters): string {
  if (line.length > 3 && line[3] !== delimiters.field) {
    return line;
  }
  const fields = line.split(delimiters.field);
  const mask = escapeHl7(SSN_MASK, delimiters);
  for (const position of SSN_FIELDS[id] ?? []) {
    if (fields[position] !== undefined) {
      fields[position] = maskEveryValue(fields[position], mask, delimiters);
    }
  }
  for (const position of IDENTIFIER_FIELDS[id] ?? []) {
    if (fields[position] !== undefined) {
      fields[position] = maskSsnIdentifiers(fields[position], mask, delimiters);
    }
  }
  return fields.join(delimiters.field);
}

function maskEveryValue(field: string, mask: string, { repetition, component, subcomponent }: Hl7Delimiters): string {
  return field
    .split(repetition)
    .map((rep) =>
      rep
        .split(component)
        .map((comp) =>
          comp
            .split(subcomponent)
            .map((value) => (value === '' || value === '""' ? value : mask))
            .join(subcomponent),
        )
        .join(component),
    )
    .join(repetition);
}

function maskSsnIdentifiers(field: string, mask: string, delimiters: Hl7Delimiters): string {
  return field
    .split(delimiters.repetition)
    .map((rep) => {
      const components = rep.split(delimiters.component);
      const type = unescapeHl7(components[4] ?? '', delimiters).trim().toUpperCase();
      if (SSN_IDENTIFIER_TYPES.has(type) && components[0] !== '' && components[0] !== '""') {
        components[0] = mask;
      }
      return components.join(delimiters.component);
    })
    .join(delimiters.repetition);
}
