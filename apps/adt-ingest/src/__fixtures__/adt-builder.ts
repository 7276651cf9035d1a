/** Field values by 1-based position; for MSH, start at 3. */
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

export interface AdtSpec {
  readonly trigger: string;
  readonly controlId: string;
  readonly facility?: string;
  readonly version?: string;
  readonly processingId?: string;
  /** MSH-9 as a whole, e.g. `ORU^R01`; defaults to `ADT^<trigger>`. */
  readonly messageType?: string;
  readonly mrn?: string;
  /** PV1-19; null leaves it empty. */
  readonly visit?: string | null;
  /** EVN-6 (HL7 DTM). */
  readonly eventTime?: string;
  /** PV1-45 (HL7 DTM). */
  readonly dischargeTime?: string;
  /** MSH-15 and MSH-16. */
  readonly ackTypes?: readonly [string, string];
  /** A40: MRG-1 identifier value. */
  readonly priorMrn?: string;
  readonly ssn?: string;
  readonly msh?: Fields;
  readonly pid?: Fields;
  readonly pv1?: Fields;
  readonly without?: ReadonlyArray<'EVN' | 'PID' | 'PV1'>;
  /** Segments appended at the end. */
  readonly extra?: readonly string[];
}

/**
 * A small ADT message of any trigger, with invented patients only. Everything a test does not
 * name has a plausible default, so each test states only what it is about.
 */
export function adt(spec: AdtSpec): string {
  const facility = spec.facility ?? 'LGH';
  const eventTime = spec.eventTime ?? '20261120142500-0600';
  const msh = segment('MSH', {
    3: 'EPICADT',
    4: facility,
    5: 'SYNCCARE',
    6: 'SYNCCARE',
    7: '20261120143100-0600',
    9: spec.messageType ?? `ADT^${spec.trigger}`,
    10: spec.controlId,
    11: spec.processingId ?? 'P',
    12: spec.version ?? '2.5.1',
    15: spec.ackTypes?.[0],
    16: spec.ackTypes?.[1],
    ...spec.msh,
  });
  const segments = [msh];
  if (!spec.without?.includes('EVN')) {
    segments.push(segment('EVN', { 1: spec.trigger, 2: '20261120143100-0600', 6: eventTime }));
  }
  if (!spec.without?.includes('PID')) {
    segments.push(segment('PID', { 1: '1', 3: `${spec.mrn ?? 'MRN001'}^^^${facility}^MR`, 5: 'TESTER^PAT^Q', 7: '19700101', 8: 'F', 19: spec.ssn, ...spec.pid }));
  }
  if (!spec.without?.includes('PV1')) {
    const visit = spec.visit === undefined ? 'V001' : (spec.visit ?? undefined);
    segments.push(segment('PV1', { 1: '1', 2: 'I', 3: 'CARD^412^B^' + facility, 19: visit, 44: '20261117083000-0600', 45: spec.dischargeTime, ...spec.pv1 }));
  }
  if (spec.priorMrn !== undefined) {
    segments.push(segment('MRG', { 1: `${spec.priorMrn}^^^${facility}^MR` }));
  }
  segments.push(...(spec.extra ?? []));
  return segments.map((line) => `${line}\r`).join('');
}
