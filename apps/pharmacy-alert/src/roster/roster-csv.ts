/**
 * Reads a roster CSV (RFC 4180: quoted fields, doubled quotes, CRLF or LF) into row objects shaped
 * like the JSON upload, so both go through the same per-row validation.
 *
 * Columns: pharmacyPatientId, familyName, givenName, birthDate, sex, preferredLanguage,
 * pharmacistId, teamId, outreachConsent, identifiers, therapies. `identifiers` is
 * `AUTHORITY:VALUE:TYPE` entries separated by `;`; `therapies` is `SYSTEM:CODE:NAME:CONDITION`
 * entries separated by `;` (NAME and CONDITION may be empty).
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
      continue;
    }
    if (char === '"' && field.length === 0) {
      quoted = true;
    } else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') {
        i += 1;
      }
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += char;
    }
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((candidate) => candidate.some((value) => value.trim().length > 0));
}

const blankToUndefined = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());

function identifiersFrom(cell: string | undefined): Array<Record<string, string | undefined>> {
  return (cell ?? '')
    .split(';')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const [authority, value, type] = entry.split(':');
      return { authority: blankToUndefined(authority), value: blankToUndefined(value), type: blankToUndefined(type) };
    });
}

function therapiesFrom(cell: string | undefined): Array<Record<string, string | undefined>> {
  return (cell ?? '')
    .split(';')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const [drugSystem, drugCode, drugName, conditionCode] = entry.split(':');
      return {
        drugSystem: blankToUndefined(drugSystem),
        drugCode: blankToUndefined(drugCode),
        drugName: blankToUndefined(drugName),
        conditionCode: blankToUndefined(conditionCode),
      };
    });
}

export function rosterRowsFromCsv(text: string): { rows: Record<string, unknown>[]; missingColumns: string[] } {
  const [header, ...body] = parseCsv(text);
  const columns = (header ?? []).map((name) => name.trim());
  const required = ['pharmacyPatientId', 'familyName', 'givenName', 'birthDate', 'identifiers'];
  const missingColumns = required.filter((name) => !columns.includes(name));
  const rows = body.map((cells) => {
    const cell = (name: string): string | undefined => blankToUndefined(cells[columns.indexOf(name)]);
    const consent = cell('outreachConsent');
    const row: Record<string, unknown> = {
      pharmacyPatientId: cell('pharmacyPatientId'),
      familyName: cell('familyName'),
      givenName: cell('givenName'),
      birthDate: cell('birthDate'),
      sex: cell('sex'),
      preferredLanguage: cell('preferredLanguage'),
      pharmacistId: cell('pharmacistId'),
      teamId: cell('teamId'),
      outreachConsent: consent === undefined ? undefined : consent.toLowerCase() === 'true',
      identifiers: identifiersFrom(cell('identifiers')),
      therapies: therapiesFrom(cell('therapies')),
    };
    return Object.fromEntries(Object.entries(row).filter(([, value]) => value !== undefined));
  });
  return { rows, missingColumns };
}
