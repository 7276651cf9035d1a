import type { Hl7Delimiters } from './delimiters';

/** How bytes written as `\Xhh..\` are turned back into text. */
export type HexEscapeEncoding = 'utf-8' | 'latin1';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const DEFAULT_TRUNCATION = '#';

/**
 * Decodes the escape sequences of one primitive value (a leaf already split on the delimiters).
 *
 * - `\F\ \S\ \T\ \R\ \E\` become the field, component, subcomponent, repetition and escape
 *   characters; `\P\` the truncation character (`#` when MSH-2 declares none).
 * - `\Xhh..\` becomes those bytes, read as `hexEncoding` (UTF-8 falls back to Latin-1 when the
 *   bytes are not valid UTF-8).
 * - `\.br\` becomes a newline and `\.sp\` / `\.spN\` N newlines; the other formatting
 *   commands (`.fi .nf .in .ti .sk .ce`) and the highlighting pair `\H\ \N\` are dropped.
 * - Character-set switches `\Cxxyy\` and `\Mxxyyzz\` are dropped: the text between them is kept
 *   as received, so ISO 2022 multi-byte text is not converted.
 * - Anything else, including locally defined `\Z..\` sequences and an escape character without
 *   a closing one, is kept literally.
 */
export function unescapeHl7(value: string, delimiters: Hl7Delimiters, hexEncoding: HexEscapeEncoding = 'utf-8'): string {
  const { escape } = delimiters;
  let start = value.indexOf(escape);
  if (start === -1) {
    return value;
  }
  let decoded = value.slice(0, start);
  while (start !== -1) {
    const end = value.indexOf(escape, start + 1);
    if (end === -1) {
      decoded += value.slice(start);
      break;
    }
    const replacement = decodeSequence(value.slice(start + 1, end), delimiters, hexEncoding);
    if (replacement === undefined) {
      // Not a sequence: keep this escape character and look again from the next one, which may open a real sequence.
      decoded += value.slice(start, end);
      start = end;
      continue;
    }
    decoded += replacement;
    start = value.indexOf(escape, end + 1);
    decoded += value.slice(end + 1, start === -1 ? undefined : start);
  }
  return decoded;
}

function decodeSequence(body: string, delimiters: Hl7Delimiters, hexEncoding: HexEscapeEncoding): string | undefined {
  switch (body) {
    case 'F':
      return delimiters.field;
    case 'S':
      return delimiters.component;
    case 'T':
      return delimiters.subcomponent;
    case 'R':
      return delimiters.repetition;
    case 'E':
      return delimiters.escape;
    case 'P':
      return delimiters.truncation ?? DEFAULT_TRUNCATION;
    case 'H':
    case 'N':
      return '';
    default:
      break;
  }
  if (/^X(?:[0-9A-Fa-f]{2})+$/.test(body)) {
    return decodeHex(body.slice(1), hexEncoding);
  }
  if (/^C[0-9A-Fa-f]{4}$/.test(body) || /^M[0-9A-Fa-f]{4}(?:[0-9A-Fa-f]{2})?$/.test(body)) {
    return '';
  }
  if (body.startsWith('.')) {
    return decodeFormatting(body.slice(1));
  }
  return undefined;
}

function decodeHex(hex: string, hexEncoding: HexEscapeEncoding): string {
  const bytes = Buffer.from(hex, 'hex');
  if (hexEncoding === 'utf-8') {
    try {
      return utf8.decode(bytes);
    } catch {
      return bytes.toString('latin1');
    }
  }
  return bytes.toString('latin1');
}

function decodeFormatting(command: string): string | undefined {
  if (command === 'br') {
    return '\n';
  }
  const skip = /^sp\s*(\d{0,3})$/.exec(command);
  if (skip) {
    return '\n'.repeat(Math.max(1, Number(skip[1] || '1')));
  }
  if (/^(?:fi|nf|ce|in\s*[+-]?\d{0,3}|ti\s*[+-]?\d{0,3}|sk\s*\d{0,3})$/.test(command)) {
    return '';
  }
  return undefined;
}

/**
 * Escapes text so it can be placed in one primitive value: delimiters become `\F\ \S\ \T\ \R\ \E\`
 * (and `\P\` when a truncation character is declared), a line feed `\.br\` and the other control
 * characters `\Xhh\`, so the result never contains a segment terminator or an MLLP control byte.
 * `unescapeHl7(escapeHl7(text))` returns `text`.
 */
export function escapeHl7(text: string, delimiters: Hl7Delimiters): string {
  const { field, component, subcomponent, repetition, escape, truncation } = delimiters;
  let escaped = '';
  for (const character of text) {
    switch (character) {
      case escape:
        escaped += `${escape}E${escape}`;
        break;
      case field:
        escaped += `${escape}F${escape}`;
        break;
      case component:
        escaped += `${escape}S${escape}`;
        break;
      case subcomponent:
        escaped += `${escape}T${escape}`;
        break;
      case repetition:
        escaped += `${escape}R${escape}`;
        break;
      case truncation:
        escaped += `${escape}P${escape}`;
        break;
      case '\n':
        escaped += `${escape}.br${escape}`;
        break;
      default:
        escaped += isControlCharacter(character) ? `${escape}X${hexOf(character)}${escape}` : character;
    }
  }
  return escaped;
}

function isControlCharacter(character: string): boolean {
  const code = character.charCodeAt(0);
  return (code < 0x20 && character !== '\t') || code === 0x7f;
}

function hexOf(character: string): string {
  return character.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase();
}
