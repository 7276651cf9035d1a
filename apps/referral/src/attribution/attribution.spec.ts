import { createEnvelope, type CareGapData, type EncounterEventData, type EventPayloads, type EventType } from '@sc/contracts';
import { referralConcerns, type Attribution } from './attribution';

const serves: Attribution = { knows: (subject) => subject === 'pt-known', participates: (plan) => plan === 'NSHP-GOLD' };

const event = <T extends EventType>(type: T, subject: string, data: unknown) =>
  createEnvelope(type, data as EventPayloads[T], { source: 'test', subject, occurredAt: '2026-11-20T14:25:00.000Z', correlationId: `enc:LGH:${subject}` });

const encounter = (planId: string | null): EncounterEventData => ({ coverage: [{ planId, memberId: 'M1' }] }) as unknown as EncounterEventData;

const gap = (overrides: Partial<CareGapData>): CareGapData =>
  ({
    gapId: 'gap-1',
    gapType: 'home-bp-monitor',
    status: 'open',
    severity: 'moderate',
    teamId: 'nursing',
    item: { system: 'HCPCS', code: 'A4670' },
    coverage: { determination: 'covered' },
    ...overrides,
  }) as CareGapData;

describe(referralConcerns.name, () => {
  it.each(['encounter.admitted', 'encounter.discharged', 'encounter.updated', 'encounter.discharge-cancelled'] as const)(
    'takes %s of a known patient or one on a participating plan, and skips it otherwise',
    (type) => {
      expect(referralConcerns(event(type, 'pt-known', encounter(null)), serves)).toBe(true);
      expect(referralConcerns(event(type, 'pt-new', encounter('NSHP-GOLD')), serves)).toBe(true);
      expect(referralConcerns(event(type, 'pt-new', encounter(null)), serves)).toBe(false);
      expect(referralConcerns(event(type, 'pt-new', encounter('OTHER-PLAN')), serves)).toBe(false);
    },
  );

  it('takes a merge when either record is known', () => {
    expect(referralConcerns(event('patient.merged', 'pt-new', { priorSubject: 'pt-known' }), serves)).toBe(true);
    expect(referralConcerns(event('patient.merged', 'pt-new', { priorSubject: 'pt-other' }), serves)).toBe(false);
  });

  it('takes a care gap only when intake turns it into a referral, and a closed gap only of a known patient', () => {
    expect(referralConcerns(event('care-gap.opened', 'pt-new', gap({})), serves)).toBe(true);
    expect(referralConcerns(event('care-gap.opened', 'pt-new', gap({ coverage: { determination: 'not-covered' } as CareGapData['coverage'] })), serves)).toBe(false);
    expect(referralConcerns(event('care-gap.updated', 'pt-new', gap({ status: 'ordered' })), serves)).toBe(false);
    expect(referralConcerns(event('care-gap.closed', 'pt-known', { gapId: 'gap-1' }), serves)).toBe(true);
    expect(referralConcerns(event('care-gap.closed', 'pt-new', { gapId: 'gap-1' }), serves)).toBe(false);
  });

  it('takes need flags that become referrals and every other pharmacy event', () => {
    expect(referralConcerns(event('pharmacy.need-flagged', 'pt-new', { need: 'social-needs', flagId: 'f1', code: null, codeSystem: null }), serves)).toBe(true);
    expect(referralConcerns(event('pharmacy.need-flagged', 'pt-new', { need: 'missing-home-device', flagId: 'f2', code: 'A4670', codeSystem: 'HCPCS' }), serves)).toBe(false);
    expect(referralConcerns(event('pharmacy.task-completed', 'pt-new', {}), serves)).toBe(true);
  });

  it('hands a payload it cannot read to its handler, which dead-letters it', () => {
    expect(referralConcerns(event('encounter.discharged', 'pt-new', { coverage: 'none' }), serves)).toBe(true);
  });
});
