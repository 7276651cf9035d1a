import {
  SUPPORTED_ADT_EVENTS,
  type AcknowledgmentCondition,
  type AdtAllergy,
  type AdtDiagnosis,
  type AdtInsurance,
  type AdtMerge,
  type AdtMessage,
  type AdtPatient,
  type AdtTriggerEvent,
  type AdtVisit,
  type ClinicalTimeSource,
  type PatientIdentifier,
  type PostalAddress,
  type ProcessingId,
} from './adt-message';
import { Hl7ErrorCode, Hl7ParseError } from './errors';
import { Hl7Field, type Hl7Message, type Hl7Repetition, type Hl7Segment } from './message';
import { parseHl7Date, parseHl7Timestamp } from './timestamp';

export interface AdtReadOptions {
  /** IANA zone per sending facility (MSH-4.1), for timestamps sent without an offset. */
  readonly facilityTimeZones?: Readonly<Record<string, string>>;
  /** IANA zone for facilities not in `facilityTimeZones`; UTC when omitted. */
  readonly defaultTimeZone?: string;
}

const PROCESSING_IDS: readonly ProcessingId[] = ['P', 'T', 'D'];
const ACK_CONDITIONS: readonly AcknowledgmentCondition[] = ['AL', 'NE', 'ER', 'SU'];
const SUPPORTED_VERSION = /^2\.[3-8](?:\.\d+)?$/;
/** CX.5 values that mark a Social Security number; `SSN` is not in table 0203 but some senders use it. */
const SSN_IDENTIFIER_TYPES = new Set(['SS', 'SSN']);

/**
 * Reads the fields this system uses from an ADT message into a plain {@link AdtMessage}.
 *
 * Values are trimmed; the HL7 null `""` is read as absent. SSNs are never copied: PID-19 only
 * sets `patient.ssnPresent`, and identifiers of type SS are left out.
 *
 * @throws Hl7ParseError with a table 0357 code:
 * 101 when MSH-7, MSH-9, MSH-10, MSH-11, MSH-12, PID-3 (or MRG-1 for A40) is missing;
 * 100 when PID (or PV1 except for A40, or MRG for A40) is missing;
 * 102 when a timestamp or date is malformed; 103 for an unknown MSH-15/16 or PID-30 value;
 * 200 when the message is not ADT; 201 for a trigger event not in {@link SUPPORTED_ADT_EVENTS};
 * 202 for a processing id other than P, T, D; 203 for a version outside 2.3 - 2.8.x.
 * @throws RangeError when a configured time zone is not a known IANA zone.
 */
export function readAdt(message: Hl7Message, options: AdtReadOptions = {}): AdtMessage {
  const mshSegment = message.segment('MSH');
  const sendingFacility = hierarchicDesignator(mshSegment?.field(4) ?? new Hl7Field(4, []));
  const timeZone = (sendingFacility === undefined ? undefined : options.facilityTimeZones?.[sendingFacility]) ?? options.defaultTimeZone ?? 'UTC';
  const msh = new SegmentReader(mshSegment, 'MSH', timeZone);
  const evn = new SegmentReader(message.segment('EVN'), 'EVN', timeZone);
  const messageType = msh.required(9, 1);
  const triggerEvent = msh.text(9, 2) ?? evn.text(1);
  if (messageType !== 'ADT') {
    throw new Hl7ParseError(Hl7ErrorCode.UnsupportedMessageType, msh.at(9, 1), 'only ADT messages are accepted');
  }
  if (triggerEvent === undefined) {
    throw new Hl7ParseError(Hl7ErrorCode.RequiredFieldMissing, msh.at(9, 2), 'no trigger event in MSH-9.2 or EVN-1');
  }
  if (!isSupportedEvent(triggerEvent)) {
    throw new Hl7ParseError(Hl7ErrorCode.UnsupportedEventCode, msh.at(9, 2), `supported events are ${SUPPORTED_ADT_EVENTS.join(', ')}`);
  }
  const controlId = msh.required(10);
  const processingId = msh.required(11);
  if (!isOneOf(processingId, PROCESSING_IDS)) {
    throw new Hl7ParseError(Hl7ErrorCode.UnsupportedProcessingId, msh.at(11), 'the processing id must be P, T or D');
  }
  const version = msh.required(12);
  if (!SUPPORTED_VERSION.test(version)) {
    throw new Hl7ParseError(Hl7ErrorCode.UnsupportedVersionId, msh.at(12), 'supported versions are 2.3 to 2.8.x');
  }

  const messageTime = msh.time(7);
  if (messageTime === undefined) {
    throw new Hl7ParseError(Hl7ErrorCode.RequiredFieldMissing, msh.at(7), 'the message has no date/time');
  }

  const pidSegment = requiredSegment(message, 'PID');
  const pv1Segment = triggerEvent === 'A40' ? message.segment('PV1') : requiredSegment(message, 'PV1');
  const visit = pv1Segment && readVisit(new SegmentReader(pv1Segment, 'PV1', timeZone));
  const eventRecordedTime = evn.time(2);
  const eventOccurredTime = evn.time(6);
  const clinical = clinicalTime(triggerEvent, messageTime, [
    ['PV1-45', visit?.dischargeTime],
    ['EVN-6', eventOccurredTime],
    ['EVN-2', eventRecordedTime],
  ]);

  return {
    messageType: 'ADT',
    triggerEvent,
    structure: msh.text(9, 3),
    controlId,
    processingId,
    version,
    sendingApplication: hierarchicDesignator(msh.field(3)),
    sendingFacility,
    receivingApplication: hierarchicDesignator(msh.field(5)),
    receivingFacility: hierarchicDesignator(msh.field(6)),
    messageTime,
    acceptAckType: msh.coded(15, ACK_CONDITIONS),
    applicationAckType: msh.coded(16, ACK_CONDITIONS),
    eventRecordedTime,
    eventOccurredTime,
    clinicalTime: clinical.time,
    clinicalTimeSource: clinical.source,
    timeZone,
    patient: readPatient(new SegmentReader(pidSegment, 'PID', timeZone)),
    visit,
    diagnoses: message.segments('DG1').map((segment) => readDiagnosis(new SegmentReader(segment, 'DG1', timeZone))),
    insurance: message.segments('IN1').map((segment) => readInsurance(new SegmentReader(segment, 'IN1', timeZone))),
    allergies: message.segments('AL1').map((segment) => readAllergy(new SegmentReader(segment, 'AL1', timeZone))),
    merge: triggerEvent === 'A40' ? readMerge(new SegmentReader(requiredSegment(message, 'MRG'), 'MRG', timeZone)) : undefined,
  };
}

function readPatient(pid: SegmentReader): AdtPatient {
  const identifiers = pid.field(3).repetitions;
  const kept = identifiersWithoutSsn(identifiers);
  if (kept.length === 0) {
    throw new Hl7ParseError(Hl7ErrorCode.RequiredFieldMissing, pid.at(3), 'PID-3 holds no patient identifier (an SSN is never used as one)');
  }
  const name = preferred(pid.field(5), 7, 'L');
  const address = preferred(pid.field(11), 7, 'H');
  return {
    identifiers: kept,
    name: name && compact({ family: clean(name.get(1, 1)), given: clean(name.get(2)), middle: clean(name.get(3)) }),
    birthDate: pid.date(7),
    sex: pid.text(8),
    primaryLanguage: codedElement(pid.field(15).repetition(1)),
    address: address && readAddress(address),
    phone: phoneNumber(pid.field(13).repetition(1)),
    deathDateTime: pid.time(29),
    deathIndicator: yesNo(pid, 30),
    ssnPresent: hasValue(pid.field(19)) || identifiers.some(isSsn),
  };
}

function readVisit(pv1: SegmentReader): AdtVisit {
  const location = pv1.field(3).repetition(1);
  const attending = pv1.field(7).repetition(1);
  return {
    patientClass: pv1.text(2),
    location: location && compact({ pointOfCare: clean(location.get(1)), room: clean(location.get(2)), bed: clean(location.get(3)), facility: clean(location.get(4)) }),
    attending: attending && compact({ id: clean(attending.get(1)), family: clean(attending.get(2, 1)), given: clean(attending.get(3)) }),
    visitNumber: pv1.text(19),
    admitTime: pv1.time(44),
    dischargeTime: pv1.time(45),
    dischargeDisposition: pv1.text(36),
    dischargedToLocation: pv1.text(37),
  };
}

function readDiagnosis(dg1: SegmentReader): AdtDiagnosis {
  return {
    code: dg1.text(3, 1),
    text: dg1.text(3, 2) ?? dg1.text(4),
    codingSystem: dg1.text(3, 3),
    type: dg1.text(6),
  };
}

function readInsurance(in1: SegmentReader): AdtInsurance {
  return {
    planId: in1.text(2, 1),
    planName: in1.text(2, 2),
    companyId: in1.text(3, 1),
    companyName: in1.text(4, 1),
    memberId: in1.text(36) ?? in1.text(49, 1),
  };
}

function readAllergy(al1: SegmentReader): AdtAllergy {
  return {
    type: al1.text(2, 1),
    code: al1.text(3, 1),
    text: al1.text(3, 2),
    severity: al1.text(4, 1),
    reactions: al1
      .field(5)
      .repetitions.map((repetition) => clean(repetition.get(1)))
      .filter((reaction): reaction is string => reaction !== undefined),
  };
}

function readMerge(mrg: SegmentReader): AdtMerge {
  const priorIdentifiers = identifiersWithoutSsn(mrg.field(1).repetitions);
  if (priorIdentifiers.length === 0) {
    throw new Hl7ParseError(Hl7ErrorCode.RequiredFieldMissing, mrg.at(1), 'MRG-1 holds no prior patient identifier (an SSN is never used as one)');
  }
  return { priorIdentifiers, priorVisitNumber: mrg.text(5) };
}

function readAddress(address: Hl7Repetition): PostalAddress | undefined {
  return compact({
    street: clean(address.get(1, 1)),
    otherDesignation: clean(address.get(2)),
    city: clean(address.get(3)),
    state: clean(address.get(4)),
    zip: clean(address.get(5)),
    country: clean(address.get(6)),
  });
}

/** XTN.1 (the pre-v2.5 formatted number) when sent, else the v2.5+ parts XTN.5-8. */
function phoneNumber(phone: Hl7Repetition | undefined): string | undefined {
  if (!phone) {
    return undefined;
  }
  const formatted = clean(phone.get(1));
  if (formatted !== undefined) {
    return formatted;
  }
  const country = clean(phone.get(5));
  const area = clean(phone.get(6));
  const local = clean(phone.get(7));
  const extension = clean(phone.get(8));
  if (local === undefined) {
    return undefined;
  }
  return [country && `+${country}`, area, local, extension && `x${extension}`].filter(Boolean).join(' ');
}

function identifiersWithoutSsn(repetitions: readonly Hl7Repetition[]): PatientIdentifier[] {
  return repetitions.flatMap((cx) => {
    const id = clean(cx.get(1));
    if (id === undefined || isSsn(cx)) {
      return [];
    }
    return [withoutUndefined({ id, assigningAuthority: clean(cx.get(4, 1)) ?? clean(cx.get(4, 2)), identifierType: clean(cx.get(5)) })];
  });
}

function isSsn(cx: Hl7Repetition): boolean {
  return SSN_IDENTIFIER_TYPES.has(clean(cx.get(5))?.toUpperCase() ?? '');
}

function yesNo(segment: SegmentReader, field: number): boolean | undefined {
  const value = segment.coded(field, ['Y', 'N'] as const);
  return value === undefined ? undefined : value === 'Y';
}

function clinicalTime(
  event: AdtTriggerEvent,
  messageTime: string,
  candidates: ReadonlyArray<[ClinicalTimeSource, string | undefined]>,
): { time: string; source: ClinicalTimeSource } {
  const usable = event === 'A03' ? candidates : candidates.filter(([source]) => source !== 'PV1-45');
  for (const [source, time] of usable) {
    if (time !== undefined) {
      return { time, source };
    }
  }
  return { time: messageTime, source: 'MSH-7' };
}

/** HD.1, the namespace id, else HD.2, the universal id. */
function hierarchicDesignator(field: Hl7Field): string | undefined {
  return clean(field.get(1)) ?? clean(field.get(2));
}

/** The repetition whose type component is `type`, else the first. */
function preferred(field: Hl7Field, typeComponent: number, type: string): Hl7Repetition | undefined {
  return field.repetitions.find((repetition) => clean(repetition.get(typeComponent))?.toUpperCase() === type) ?? field.repetition(1);
}

function requiredSegment(message: Hl7Message, id: string): Hl7Segment {
  const segment = message.segment(id);
  if (!segment) {
    throw new Hl7ParseError(Hl7ErrorCode.SegmentSequenceError, { segment: id, sequence: 1 }, `a required ${id} segment is missing`);
  }
  return segment;
}

function isSupportedEvent(event: string): event is AdtTriggerEvent {
  return isOneOf(event, SUPPORTED_ADT_EVENTS);
}

function isOneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}

/** Trimmed, with the HL7 null `""` and blanks read as absent. */
function clean(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' || trimmed === '""' ? undefined : trimmed;
}

/** Drops absent properties, and returns undefined when none is left. */
function compact<T extends object>(value: T): T | undefined {
  const defined = withoutUndefined(value);
  return Object.keys(defined).length === 0 ? undefined : defined;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Whether any part of the field holds a value (the HL7 null `""` does not count). */
function hasValue(field: Hl7Field): boolean {
  return field.repetitions.some((repetition) => repetition.components.some((subcomponents) => subcomponents.some((value) => clean(value) !== undefined)));
}

/** Field access on one segment that knows where it is, so errors can say so. */
class SegmentReader {
  constructor(
    private readonly segment: Hl7Segment | undefined,
    private readonly id: string,
    private readonly timeZone: string,
  ) {}

  at(field: number, component?: number): { segment: string; sequence: number; field: number; component?: number; segmentIndex?: number } {
    return { segment: this.id, sequence: this.segment?.occurrence ?? 1, field, component, segmentIndex: this.segment?.index };
  }

  field(position: number): Hl7Field {
    return this.segment?.field(position) ?? new Hl7Field(position, []);
  }

  text(field: number, component = 1, subcomponent = 1): string | undefined {
    return clean(this.segment?.get(field, component, subcomponent));
  }

  required(field: number, component = 1): string {
    const value = this.text(field, component);
    if (value === undefined) {
      throw new Hl7ParseError(Hl7ErrorCode.RequiredFieldMissing, this.at(field, component === 1 ? undefined : component), `${this.id}-${field} is required`);
    }
    return value;
  }

  coded<T extends string>(field: number, allowed: readonly T[]): T | undefined {
    const value = this.text(field)?.toUpperCase();
    if (value === undefined) {
      return undefined;
    }
    if (!isOneOf(value, allowed)) {
      throw new Hl7ParseError(Hl7ErrorCode.TableValueNotFound, this.at(field), `allowed values are ${allowed.join(', ')}`);
    }
    return value;
  }

  time(field: number): string | undefined {
    const value = this.text(field);
    if (value === undefined) {
      return undefined;
    }
    const time = parseHl7Timestamp(value, { timeZone: this.timeZone });
    if (time === undefined) {
      throw new Hl7ParseError(Hl7ErrorCode.DataTypeError, this.at(field), 'not a valid HL7 date/time (YYYY[MM[DD[HH[MM[SS[.S-SSSS]]]]]][+/-ZZZZ])');
    }
    return time;
  }

  date(field: number): string | undefined {
    const value = this.text(field);
    if (value === undefined) {
      return undefined;
    }
    const date = parseHl7Date(value);
    if (date === undefined) {
      throw new Hl7ParseError(Hl7ErrorCode.DataTypeError, this.at(field), 'not a valid HL7 date');
    }
    return date;
  }
}

/**
 * A CE/CWE as `identifier^text^system^alternate identifier^alternate text^alternate system`
 * (trailing empty components dropped), so a reader that wants the code can find it in whichever
 * component the sender put it (PID-15 arrives as `SPA`, `SPA^Spanish^ISO639` or `^Spanish`).
 */
function codedElement(repetition: Hl7Repetition | undefined): string | undefined {
  if (!repetition) {
    return undefined;
  }
  const components = [1, 2, 3, 4, 5, 6].map((component) => repetition.get(component) ?? '');
  while (components.length > 0 && components[components.length - 1] === '') {
    components.pop();
  }
  return components.length > 0 ? components.join('^') : undefined;
}
