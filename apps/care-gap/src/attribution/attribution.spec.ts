import { createEnvelope, type EncounterEventData, type EventPayloads } from '@sc/contracts';
import { careGapConcerns, type Attribution } from './attribution';

const attribution = (known: string[], plans: string[]): Attribution => ({ knows: (subject) => known.includes(subject), participates: (plan) => plans.includes(plan) });

const encounter = (type: 'encounter.discharged' | 'encounter.updated' | 'encounter.transferred', subject: string, extra: { planId?: string; deceased?: boolean; disposition?: string } = {}) =>
  createEnvelope(
    type,
    {
      patient: { deceased: extra.deceased ?? false },
      visit: { dischargeDisposition: extra.disposition ?? null },
      coverage: extra.planId ? [{ planId: ` ${extra.planId} `, memberId: 'M1' }] : [{ planId: null, memberId: null }],
      diagnoses: [],
    } as unknown as EncounterEventData,
    { source: 'adt-ingest', subject, occurredAt: '2026-11-20T14:25:00.000Z', correlationId: `enc:LGH:${subject}` },
  );

describe(careGapConcerns.name, () => {
  const serves = attribution(['pt-known'], ['NSHP-GOLD']);

  it('takes a discharge of a patient it knows, or whose coverage names a participating plan', () => {
    expect(careGapConcerns(encounter('encounter.discharged', 'pt-known'), serves)).toBe(true);
    expect(careGapConcerns(encounter('encounter.discharged', 'pt-new', { planId: 'NSHP-GOLD' }), serves)).toBe(true);
  });

  it('skips a discharge of an unknown patient with no coverage or another plan', () => {
    expect(careGapConcerns(encounter('encounter.discharged', 'pt-new'), serves)).toBe(false);
    expect(careGapConcerns(encounter('encounter.discharged', 'pt-new', { planId: 'OTHER-PLAN' }), serves)).toBe(false);
  });

  it.each(['encounter.updated', 'encounter.transferred'] as const)('takes %s only when it reports the death of a known patient', (type) => {
    expect(careGapConcerns(encounter(type, 'pt-known', { deceased: true }), serves)).toBe(true);
    expect(careGapConcerns(encounter(type, 'pt-known', { disposition: '20' }), serves)).toBe(true);
    expect(careGapConcerns(encounter(type, 'pt-known'), serves)).toBe(false);
    expect(careGapConcerns(encounter(type, 'pt-new', { deceased: true, planId: 'NSHP-GOLD' }), serves)).toBe(false);
  });

  it('takes every pharmacy and clinical-context event', () => {
    const expired = createEnvelope('pharmacy.patient-expired', { patientId: 'SP-1', closedTaskIds: [] } as EventPayloads['pharmacy.patient-expired'], {
      source: 'pharmacy-alert',
      subject: 'pt-new',
      occurredAt: '2026-11-20T14:25:00.000Z',
      correlationId: 'enc:LGH:x',
    });
    const benefits = createEnvelope('context.benefits-changed', { planId: 'OTHER-PLAN', benefits: [] } as unknown as EventPayloads['context.benefits-changed'], {
      source: 'clinical-context',
      subject: 'plan:OTHER-PLAN',
      occurredAt: '2026-11-20T14:25:00.000Z',
      correlationId: 'ctx:x',
    });
    expect(careGapConcerns(expired, serves)).toBe(true);
    expect(careGapConcerns(benefits, serves)).toBe(true);
  });

  it('hands a payload it cannot read to its handler, which dead-letters it', () => {
    const malformed = { ...encounter('encounter.discharged', 'pt-new'), data: { coverage: 'none' } } as never;
    expect(careGapConcerns(malformed, serves)).toBe(true);
  });
});
