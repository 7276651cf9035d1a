/**
 * Synthetic ADT messages shaped like the story's fixtures (shared/fixtures/hl7), with the
 * parts a test varies as parameters. Every person here is invented.
 */
/** The story fixtures' invented SSN, for messages that must carry one to exercise masking. */
export const SYNTHETIC_SSN = '123-45-6789';

export interface SyntheticAdt {
  trigger: 'A01' | 'A03' | 'A13';
  controlId: string;
  mrn: string;
  visitNumber: string;
  familyName?: string;
  givenName?: string;
  /** HL7 DTM with offset, e.g. 20261120142500-0600. */
  clinicalTime?: string;
  disposition?: string;
  facility?: string;
  ssn?: string;
  language?: string;
  /** IN1-2: the health plan covering the stay; no IN1 segment when absent. */
  planId?: string;
}

export function syntheticAdt(options: SyntheticAdt): string {
  const facility = options.facility ?? 'LGH';
  const time = options.clinicalTime ?? '20261120142500-0600';
  const structure = options.trigger === 'A03' ? 'ADT_A03' : 'ADT_A01';
  const pv1Discharge = options.trigger === 'A03' ? `${options.disposition ?? '01'}||||||||20261117083000-0600|${time}` : '||||||||20261117083000-0600';
  const segments = [
    `MSH|^~\\&|EPICADT|${facility}|SYNCCARE|SYNCCARE|${time}||ADT^${options.trigger}^${structure}|${options.controlId}|P|2.5.1|||AL|NE||UNICODE UTF-8`,
    `EVN|${options.trigger}|${time}||||${time}`,
    `PID|1||${options.mrn}^^^${facility}^MR||${options.familyName ?? 'TESTER'}^${options.givenName ?? 'PAT'}||19680412|M|||1 MAIN ST^^SPRINGFIELD^IL^62704^USA^H||^PRN^PH^^1^217^5550100||${options.language ?? 'ENG'}|||ACCT-${options.mrn}|${options.ssn ?? ''}`,
    `PV1|1|I|CARD^412^B^${facility}||||10234^NGUYEN^ANH^^^DR^MD|||CAR|||||||||${options.visitNumber}|||||||||||||||||${pv1Discharge}`,
    'DG1|1||I25.10^Atherosclerotic heart disease^I10|||F',
    ...(options.planId ? [`IN1|1|${options.planId}^Synthetic plan|PAYER1^^^^^NPI|Synthetic payer`] : []),
  ];
  return `${segments.join('\r')}\r`;
}
