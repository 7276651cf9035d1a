import { sniffHl7Charset } from './charset';
import { encodingCharacters, readDelimiters, type Hl7Delimiters } from './delimiters';
import { Hl7ErrorCode, Hl7ParseError } from './errors';
import { escapeHl7, unescapeHl7, type HexEscapeEncoding } from './escaping';

/** One repetition of a field: its components, each a list of subcomponents, all decoded. */
export class Hl7Repetition {
  constructor(readonly components: readonly (readonly string[])[]) {}

  get componentCount(): number {
    return this.components.length;
  }

  /**
   * The decoded text of a component (1-based, like `CX.4`) or of one of its subcomponents
   * (`CX.4.1`); `undefined` when absent or empty.
   */
  get(component = 1, subcomponent = 1): string | undefined {
    return nonEmpty(this.components[component - 1]?.[subcomponent - 1]);
  }

  /** All subcomponents of a component (1-based), decoded. */
  subcomponents(component: number): readonly string[] {
    return this.components[component - 1] ?? [];
  }

  encode(delimiters: Hl7Delimiters): string {
    return this.components
      .map((subcomponents) => subcomponents.map((value) => escapeHl7(value, delimiters)).join(delimiters.subcomponent))
      .join(delimiters.component);
  }
}

/** One field of a segment, with its repetitions. An absent field has none. */
export class Hl7Field {
  constructor(
    /** 1-based position in the segment (`PID-3` is 3). */
    readonly position: number,
    readonly repetitions: readonly Hl7Repetition[],
  ) {}

  get isEmpty(): boolean {
    return this.repetitions.every((repetition) => repetition.components.every((sub) => sub.every((value) => value === '')));
  }

  /** A repetition, 1-based. */
  repetition(n = 1): Hl7Repetition | undefined {
    return this.repetitions[n - 1];
  }

  /** Decoded text of a component / subcomponent of a repetition, all 1-based. */
  get(component = 1, subcomponent = 1, repetition = 1): string | undefined {
    return this.repetitions[repetition - 1]?.get(component, subcomponent);
  }

  encode(delimiters: Hl7Delimiters): string {
    return this.repetitions.map((repetition) => repetition.encode(delimiters)).join(delimiters.repetition);
  }
}

interface FieldDecoding {
  readonly delimiters: Hl7Delimiters;
  readonly hexEncoding: HexEscapeEncoding;
}

/**
 * One segment. Fields are 1-based like the standard, so for MSH, field 1 is MSH-1 (the field
 * separator) and field 2 MSH-2 (the encoding characters, neither split nor decoded).
 * A field is split and decoded the first time it is read.
 */
export class Hl7Segment {
  private readonly parsed: Array<Hl7Field | undefined> = [];

  /** @internal Segments come from {@link Hl7Message.parse}. */
  constructor(
    readonly id: string,
    /** 1-based position of the segment in the message. */
    readonly index: number,
    /** 1-based occurrence of this segment ID in the message (ERL.2 in ERR-2): the second DG1 is 2. */
    readonly occurrence: number,
    /** The encoded fields, from field 1. */
    private readonly rawFields: readonly string[],
    private readonly decoding: FieldDecoding,
  ) {}

  /** The position of the last field present. */
  get fieldCount(): number {
    return this.rawFields.length;
  }

  /** A field, 1-based; an empty field when the segment is shorter. */
  field(position: number): Hl7Field {
    const raw = this.rawFields[position - 1];
    if (raw === undefined) {
      return new Hl7Field(position, []);
    }
    let field = this.parsed[position - 1];
    if (!field) {
      field = this.id === 'MSH' && position <= 2 ? new Hl7Field(position, [new Hl7Repetition([[raw]])]) : parseField(raw, position, this.decoding);
      this.parsed[position - 1] = field;
    }
    return field;
  }

  /** Decoded text of `SEG-field.component.subcomponent`, first repetition unless told otherwise. */
  get(field: number, component = 1, subcomponent = 1, repetition = 1): string | undefined {
    return this.field(field).get(component, subcomponent, repetition);
  }

  encode(delimiters: Hl7Delimiters): string {
    const first = this.id === 'MSH' ? 3 : 1;
    const head = this.id === 'MSH' ? `MSH${delimiters.field}${encodingCharacters(delimiters)}` : this.id;
    const fields: string[] = [head];
    for (let position = first; position <= this.rawFields.length; position += 1) {
      fields.push(this.field(position).encode(delimiters));
    }
    return fields.join(delimiters.field);
  }
}

const PATH = /^([A-Z][A-Z0-9]{2})(?:\((\d+)\))?-(\d+)(?:\((\d+)\))?(?:[.-](\d+)(?:[.-](\d+))?)?$/;
const SEGMENT_ID = /^[A-Z][A-Z0-9]{2}$/;

/**
 * A parsed HL7 v2 message (ER7, "pipe and hat" encoding).
 *
 * Parsing checks the segment structure; each field is split and its escape sequences decoded
 * (see {@link unescapeHl7}) when first read. A bare truncation character (v2.7+) is kept in the value. The HL7 null `""` is returned as the two characters
 * `""`, so callers can tell "delete this value" from "no value".
 */
export class Hl7Message {
  private constructor(
    readonly delimiters: Hl7Delimiters,
    private readonly all: readonly Hl7Segment[],
  ) {}

  /**
   * Parses ER7 text. Segments may end in CR, LF or CRLF; empty lines and a leading byte order mark
   * are ignored; unknown segments (Z-segments included) are kept.
   * @throws Hl7ParseError (code 100) when the text does not start with MSH, a segment ID is not
   * three upper-case letters or digits, or a second MSH appears; (code 102) when MSH-1/MSH-2 are unusable.
   */
  static parse(text: string): Hl7Message {
    const lines = text
      .replace(/^\uFEFF/, '')
      .split(/\r\n|\r|\n/)
      .filter((line) => line.trim() !== '');
    const msh = lines[0];
    if (msh === undefined || !msh.startsWith('MSH')) {
      throw new Hl7ParseError(Hl7ErrorCode.SegmentSequenceError, { segment: 'MSH', sequence: 1, segmentIndex: 1 }, 'the message does not start with an MSH segment');
    }
    const delimiters = readDelimiters(msh);
    if (!delimiters) {
      throw new Hl7ParseError(Hl7ErrorCode.DataTypeError, { segment: 'MSH', sequence: 1, field: 2, segmentIndex: 1 }, 'MSH-1 and MSH-2 must be distinct punctuation characters, 4 or 5 of them in MSH-2');
    }
    const decoding: FieldDecoding = { delimiters, hexEncoding: sniffHl7Charset(msh) === '8859/1' ? 'latin1' : 'utf-8' };
    const occurrences = new Map<string, number>();
    const segments = lines.map((line, i) => {
      const index = i + 1;
      const id = line.slice(0, 3);
      if (!SEGMENT_ID.test(id) || (line.length > 3 && line[3] !== delimiters.field)) {
        throw new Hl7ParseError(Hl7ErrorCode.SegmentSequenceError, { segmentIndex: index }, 'not a segment: it must start with a 3-character segment ID and a field separator');
      }
      const occurrence = (occurrences.get(id) ?? 0) + 1;
      occurrences.set(id, occurrence);
      if (id === 'MSH' && index > 1) {
        throw new Hl7ParseError(Hl7ErrorCode.SegmentSequenceError, { segment: id, sequence: occurrence, segmentIndex: index }, 'only one MSH segment is allowed in a message');
      }
      const rawFields = line.split(delimiters.field).slice(1);
      // MSH-1 is the field separator itself, so the split starts at MSH-2.
      return new Hl7Segment(id, index, occurrence, id === 'MSH' ? [delimiters.field, ...rawFields] : rawFields, decoding);
    });
    return new Hl7Message(delimiters, segments);
  }

  /** All segments, or those with this ID, in message order. */
  segments(id?: string): readonly Hl7Segment[] {
    return id === undefined ? this.all : this.all.filter((segment) => segment.id === id);
  }

  /** The n-th (1-based) segment with this ID. */
  segment(id: string, occurrence = 1): Hl7Segment | undefined {
    return this.segments(id)[occurrence - 1];
  }

  /**
   * Decoded text at a path, `undefined` when absent or empty. Everything is 1-based:
   * `PID-3` (first repetition, component 1), `PID-3.4.1`, `PID-3(2).1` (second repetition),
   * `DG1(2)-3.1` (second DG1), `MSH-9.2`. `-` is accepted for `.` (`PID-3-4`).
   * @throws RangeError when the path is not of that form (a programming error).
   */
  get(path: string): string | undefined {
    const match = PATH.exec(path);
    if (!match) {
      throw new RangeError(`not an HL7 path: ${path}`);
    }
    const [, id, occurrence = '1', field, repetition = '1', component = '1', subcomponent = '1'] = match;
    return this.segment(id, Number(occurrence))?.get(Number(field), Number(component), Number(subcomponent), Number(repetition));
  }

  /** ER7 text with the message's own delimiters, each segment ending in CR. */
  encode(): string {
    return this.all.map((segment) => `${segment.encode(this.delimiters)}\r`).join('');
  }
}

/** Parses ER7 text; see {@link Hl7Message.parse}. */
export function parseHl7(text: string): Hl7Message {
  return Hl7Message.parse(text);
}

function parseField(raw: string, position: number, { delimiters, hexEncoding }: FieldDecoding): Hl7Field {
  if (raw === '') {
    return new Hl7Field(position, []);
  }
  const repetitions = raw
    .split(delimiters.repetition)
    .map(
      (repetition) =>
        new Hl7Repetition(
          repetition
            .split(delimiters.component)
            .map((component) => component.split(delimiters.subcomponent).map((value) => unescapeHl7(value, delimiters, hexEncoding))),
        ),
    );
  return new Hl7Field(position, repetitions);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
