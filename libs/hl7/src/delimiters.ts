/**
 * The encoding characters of a message: MSH-1 and the characters of MSH-2, in MSH-2 order
 * (component, repetition, escape, subcomponent and, from v2.7, truncation).
 * @see https://hl7-definition.caristix.com/v2/HL7v2.7/Fields/MSH.2
 */
export interface Hl7Delimiters {
  readonly field: string;
  readonly component: string;
  readonly repetition: string;
  readonly escape: string;
  readonly subcomponent: string;
  /** v2.7+: the 5th MSH-2 character; a value ending in it was truncated by the sender. */
  readonly truncation?: string;
}

export const DEFAULT_DELIMITERS: Hl7Delimiters = Object.freeze({
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
});

/** MSH-2 as it appears on the wire, e.g. `^~\&` or `^~\&#`. */
export function encodingCharacters(delimiters: Hl7Delimiters): string {
  const { component, repetition, escape, subcomponent, truncation = '' } = delimiters;
  return component + repetition + escape + subcomponent + truncation;
}

/**
 * Reads the delimiters from the start of an MSH segment, or returns undefined when MSH-1/MSH-2
 * are not usable: each must be a distinct printable ASCII character that is neither a letter,
 * a digit nor a space, and MSH-2 must hold 4 or 5 of them.
 */
export function readDelimiters(mshSegment: string): Hl7Delimiters | undefined {
  if (!mshSegment.startsWith('MSH') || mshSegment.length < 8) {
    return undefined;
  }
  const field = mshSegment[3];
  const end = mshSegment.indexOf(field, 4);
  const characters = mshSegment.slice(4, end === -1 ? undefined : end);
  if (characters.length < 4 || characters.length > 5) {
    return undefined;
  }
  const all = [field, ...characters];
  if (!all.every(isDelimiterCharacter) || new Set(all).size !== all.length) {
    return undefined;
  }
  const [component, repetition, escape, subcomponent, truncation] = characters;
  return truncation === undefined
    ? { field, component, repetition, escape, subcomponent }
    : { field, component, repetition, escape, subcomponent, truncation };
}

function isDelimiterCharacter(character: string): boolean {
  return /^[!-/:-@[-`{-~]$/.test(character);
}
