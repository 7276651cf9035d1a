/**
 * A synthetic hospital: invented patients moving through encounters, rendered as the HL7 v2 ADT
 * messages real feeds send (several facilities, some sending local times without offsets).
 * Deterministic for a seed, so a run can be repeated.
 */
export interface Facility {
  id: string;
  timeZone: string;
  /** Whether this facility's feed sends timestamps without a UTC offset (many do). */
  sendsOffsets: boolean;
}

export type FeedTrigger = 'A01' | 'A02' | 'A03' | 'A04' | 'A08' | 'A11' | 'A13';

/**
 * The health plan attributed patients carry in their coverage (IN1-2): services that serve
 * members of participating plans are started with `PARTICIPATING_PLANS` naming it.
 */
export const PARTICIPATING_PLAN = 'SYN-ACO-GOLD';
/** Plans of everyone else: no program participates in them. */
const OTHER_PLANS = ['SYN-COMMERCIAL-PPO', 'SYN-MEDICAID-HMO', 'SYN-MEDICARE-ADV', 'SYN-EXCHANGE-SILVER'];

export interface SyntheticPatient {
  mrn: string;
  facility: Facility;
  familyName: string;
  givenName: string;
  birthDate: string;
  sex: 'F' | 'M';
  language: string;
  /** Attributed to a participating program: on the roster, and covered by PARTICIPATING_PLAN. */
  rostered: boolean;
  /** IN1-2.1 of every message about this patient. */
  planId: string;
  visitSeq: number;
  state: 'out' | 'admitted' | 'discharged';
}

const FAMILY = ['GARCIA', 'NGUYEN', 'SMITH', 'JOHNSON', 'WILLIAMS', 'BROWN', 'LOPEZ', 'KIM', 'PATEL', 'OKAFOR', 'HANSEN', 'COHEN'];
const GIVEN = ['MARIA', 'JAMES', 'LINH', 'ROBERT', 'AISHA', 'CARLOS', 'MEI', 'DAVID', 'FATIMA', 'OLGA', 'SAMUEL', 'ROSA'];
const DIAGNOSES = ['I25.10^Atherosclerotic heart disease', 'I10^Essential hypertension', 'I50.9^Heart failure', 'E11.9^Type 2 diabetes', 'J44.9^COPD', 'M06.9^Rheumatoid arthritis'];
const DISPOSITIONS = ['01', '01', '01', '01', '06', '03', '20'];

/** Mulberry32: small, fast, seedable. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)];

export function createPatients(count: number, facilities: Facility[], rosterShare: number, random: () => number): SyntheticPatient[] {
  return Array.from({ length: count }, (_, index) => {
    const year = 1940 + Math.floor(random() * 60);
    const month = String(1 + Math.floor(random() * 12)).padStart(2, '0');
    const day = String(1 + Math.floor(random() * 28)).padStart(2, '0');
    const rostered = random() < rosterShare;
    return {
      mrn: `SYN${String(index).padStart(7, '0')}`,
      facility: facilities[index % facilities.length],
      familyName: pick(random, FAMILY),
      givenName: pick(random, GIVEN),
      birthDate: `${year}-${month}-${day}`,
      sex: random() < 0.5 ? 'F' : 'M',
      language: random() < 0.15 ? 'SPA' : 'ENG',
      rostered,
      planId: rostered ? PARTICIPATING_PLAN : pick(random, OTHER_PLANS),
      visitSeq: 0,
      state: 'out',
    };
  });
}

/**
 * One formatter per time zone: building one costs about as much as the rest of a message, and at
 * a benchmark's thousand messages a second the feed took a share of the machine's CPU away from the
 * services it measures.
 */
const wallClockFormatters = new Map<string, Intl.DateTimeFormat>();

function wallClockFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = wallClockFormatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    wallClockFormatters.set(timeZone, formatter);
  }
  return formatter;
}

function hl7Time(date: Date, facility: Facility): string {
  const parts = Object.fromEntries(
    wallClockFormatter(facility.timeZone)
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  const local = `${parts.year}${parts.month}${parts.day}${parts.hour}${parts.minute}${parts.second}`;
  if (!facility.sendsOffsets) {
    return local;
  }
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offsetMinutes = Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}${String(absolute % 60).padStart(2, '0')}`;
}

/** The next event for a patient that keeps their encounter plausible, given the requested trigger mix. */
export function nextTrigger(patient: SyntheticPatient, wanted: FeedTrigger): FeedTrigger {
  switch (patient.state) {
    case 'out':
      return wanted === 'A04' ? 'A04' : 'A01';
    case 'admitted':
      return wanted === 'A01' || wanted === 'A04' || wanted === 'A13' ? 'A03' : wanted;
    case 'discharged':
      return wanted === 'A13' || wanted === 'A04' ? wanted : 'A01';
  }
}

/** Whether `trigger` is a plausible next event for a patient in `state` (what nextTrigger keeps to). */
export function allows(state: SyntheticPatient['state'], trigger: FeedTrigger): boolean {
  return nextTrigger({ state } as SyntheticPatient, trigger) === trigger;
}

export function applyTrigger(patient: SyntheticPatient, trigger: FeedTrigger): void {
  switch (trigger) {
    case 'A01':
      patient.visitSeq += 1;
      patient.state = 'admitted';
      break;
    case 'A03':
      // A discharge of a stay whose admission this feed never carried (the worst-case mix sends
      // nothing else): a visit of its own, as when an interface starts mid-stay.
      if (patient.state !== 'admitted') {
        patient.visitSeq += 1;
      }
      patient.state = 'discharged';
      break;
    case 'A04':
      // An outpatient registration: a visit of its own that this feed does not follow further.
      patient.visitSeq += 1;
      patient.state = 'out';
      break;
    case 'A11':
      patient.state = 'out';
      break;
    case 'A13':
      patient.state = 'admitted';
      break;
    case 'A02':
    case 'A08':
      break;
  }
}

/** IN1 with the plan (IN1-2), its payer (IN1-3) and the member's policy number (IN1-36). */
function insurance(patient: SyntheticPatient): string {
  const fields = new Array<string>(37).fill('');
  fields[0] = 'IN1';
  fields[1] = '1';
  fields[2] = `${patient.planId}^${patient.planId.replace(/-/g, ' ')}`;
  fields[3] = `${patient.planId.split('-')[1]}^^^SYN`;
  fields[36] = `M${patient.mrn}`;
  return fields.join('|');
}

export function renderAdt(patient: SyntheticPatient, trigger: FeedTrigger, controlId: string, now: Date, random: () => number): string {
  const facility = patient.facility;
  const time = hl7Time(now, facility);
  const admitted = hl7Time(new Date(now.getTime() - 3 * 86_400_000), facility);
  const visit = `${facility.id}-V${patient.mrn}-${patient.visitSeq}`;
  const structure = trigger === 'A03' ? 'ADT_A03' : trigger === 'A02' ? 'ADT_A02' : 'ADT_A01';
  const disposition = trigger === 'A03' ? pick(random, DISPOSITIONS) : '';
  const discharge = trigger === 'A03' ? time : '';
  const segments = [
    `MSH|^~\\&|SYNFEED|${facility.id}|SYNCCARE|SYNCCARE|${time}||ADT^${trigger}^${structure}|${controlId}|P|2.5.1|||AL|NE||UNICODE UTF-8`,
    `EVN|${trigger}|${time}||||${time}`,
    `PID|1||${patient.mrn}^^^${facility.id}^MR||${patient.familyName}^${patient.givenName}||${patient.birthDate.replace(/-/g, '')}|${patient.sex}|||${Math.floor(random() * 900) + 100} MAIN ST^^SPRINGFIELD^IL^62704^USA^H||^PRN^PH^^1^217^555${String(Math.floor(random() * 10_000)).padStart(4, '0')}||${patient.language}`,
    `PV1|1|I|${pick(random, ['CARD', 'MED', 'SURG', 'ICU'])}^${100 + Math.floor(random() * 400)}^A^${facility.id}||||10234^NGUYEN^ANH^^^DR^MD|||CAR|||||||||${visit}|||||||||||||||||${disposition}||||||||${admitted}|${discharge}`,
    `DG1|1||${pick(random, DIAGNOSES)}^I10|||F`,
    insurance(patient),
    `ZSY|synthetic|${Math.floor(random() * 1000)}`,
  ];
  // Meditech-style feeds end segments with LF; most send CR.
  return segments.join(facility.id.endsWith('M') ? '\n' : '\r') + '\r';
}
