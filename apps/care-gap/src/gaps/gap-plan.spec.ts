import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseRuleFile } from '../rules/rule-validation';
import { closeReasonFor, evaluateRule, planGaps, type DeviceState, type PatientContext } from './gap-plan';
import type { SensitiveCategory } from './sensitive-categories';

const RULES_FILE = path.join(__dirname, '..', '..', 'rules', 'care-gap-rules.json');
const rules = parseRuleFile(readFileSync(RULES_FILE, 'utf8'), RULES_FILE);
const rule = (id: string) => {
  const found = rules.find((candidate) => candidate.id === id);
  if (!found) {
    throw new Error(`no rule ${id}`);
  }
  return found;
};

interface PatientOverrides {
  deceased?: boolean;
  atFacility?: boolean;
  devices?: Record<string, DeviceState>;
  consents?: SensitiveCategory[];
}

const patient = (conditions: string[], overrides: PatientOverrides = {}): PatientContext => ({
  deceased: overrides.deceased ?? false,
  atFacility: overrides.atFacility ?? false,
  conditions,
  devices: new Map(Object.entries(overrides.devices ?? {})),
  consents: new Set(overrides.consents ?? []),
});

const gapTypes = (context: PatientContext) => [...planGaps(rules, context).keys()].sort();

describe(planGaps.name, () => {
  it('plans a home blood-pressure monitor for coronary disease, hypertension or heart failure', () => {
    expect(gapTypes(patient(['I25.10']))).toEqual(['home-bp-monitor']);
    expect(gapTypes(patient(['I11.9']))).toEqual(['home-bp-monitor']);
    expect(planGaps(rules, patient(['I25.10'])).get('home-bp-monitor')).toMatchObject({ matchedCodes: ['I25.10'], evidence: 'suspected', trigger: 'conditions' });
  });

  it('plans a monitor and a scale for heart failure', () => {
    expect(gapTypes(patient(['I50.22']))).toEqual(['home-bp-monitor', 'home-scale']);
  });

  it('plans a glucose meter for diabetes E08-E13 and a pulse oximeter for COPD', () => {
    expect(gapTypes(patient(['E11.65']))).toEqual(['home-glucose-meter']);
    expect(gapTypes(patient(['E08.9']))).toEqual(['home-glucose-meter']);
    expect(gapTypes(patient(['E14.9']))).toEqual([]);
    expect(gapTypes(patient(['J44.1']))).toEqual(['home-pulse-oximeter']);
  });

  it('plans a monitor and a postpartum follow-up for hypertension in pregnancy, decided by the more severe pregnancy rule', () => {
    const planned = planGaps(rules, patient(['O13.5', 'I10']));
    expect([...planned.keys()].sort()).toEqual(['home-bp-monitor', 'postpartum-bp-follow-up']);
    expect(planned.get('home-bp-monitor')?.rule.id).toBe('bp-monitor-hypertensive-pregnancy');
  });

  it('leaves out O12, gestational edema without hypertension', () => {
    expect(gapTypes(patient(['O12.04']))).toEqual([]);
  });

  it('never plans from a sensitive code without consent, and does with consent for its category', () => {
    const naloxone = { ...rule('bp-monitor-cardiovascular'), id: 'naloxone', gapType: 'naloxone-kit', conditions: { system: 'ICD10' as const, ranges: [], prefixes: ['F11'] } };
    expect(evaluateRule(naloxone, patient(['F11.20']))).toEqual({ kind: 'sensitive-without-consent' });
    expect(evaluateRule(naloxone, patient(['F11.20'], { consents: ['mental-health'] }))).toEqual({ kind: 'sensitive-without-consent' });
    expect(evaluateRule(naloxone, patient(['F11.20'], { consents: ['substance-use'] }))).toMatchObject({ kind: 'indicated', matchedCodes: ['F11.20'] });
  });

  it('keeps sensitive codes out of the explanation of a gap other codes justify', () => {
    const wide = { ...rule('bp-monitor-cardiovascular'), conditions: { system: 'ICD10' as const, ranges: [{ from: 'F01', to: 'F99' }, { from: 'I10', to: 'I16' }], prefixes: [] } };
    expect(evaluateRule(wide, patient(['F32.9', 'I10']))).toMatchObject({ kind: 'indicated', matchedCodes: ['I10'] });
  });

  it('plans no home-device gap for a patient who died or went to a facility; the follow-up visit still counts at a facility', () => {
    expect(gapTypes(patient(['I50.22'], { deceased: true }))).toEqual([]);
    expect(gapTypes(patient(['I50.22'], { atFacility: true }))).toEqual([]);
    expect(gapTypes(patient(['O14.15'], { atFacility: true }))).toEqual(['postpartum-bp-follow-up']);
    expect(evaluateRule(rule('scale-heart-failure'), patient(['I50.22'], { atFacility: true }))).toEqual({ kind: 'at-facility', matchedCodes: ['I50.22'] });
  });

  it('plans nothing for an item already at home', () => {
    expect(gapTypes(patient(['I10'], { devices: { 'HCPCS:A4670': { present: true, flaggedByPharmacist: false } } }))).toEqual([]);
  });

  it('confirms the gap when the item is known to be absent, and opens it on a pharmacist flag without a matching condition', () => {
    const absent = { 'HCPCS:A4670': { present: false, flaggedByPharmacist: false } };
    expect(planGaps(rules, patient(['I10'], { devices: absent })).get('home-bp-monitor')?.evidence).toBe('confirmed');
    expect(gapTypes(patient([], { devices: absent }))).toEqual([]);
    const flagged = planGaps(rules, patient([], { devices: { 'HCPCS:A4670': { present: false, flaggedByPharmacist: true } } })).get('home-bp-monitor');
    expect(flagged).toMatchObject({ matchedCodes: [], evidence: 'confirmed', trigger: 'pharmacist-flag', rule: { id: 'bp-monitor-cardiovascular' } });
  });

  it('explains a flagged gap by the matching condition, not by a more severe rule the flag alone would indicate', () => {
    const planned = planGaps(rules, patient(['I10'], { devices: { 'HCPCS:A4670': { present: false, flaggedByPharmacist: true } } })).get('home-bp-monitor');
    expect(planned).toMatchObject({ matchedCodes: ['I10'], evidence: 'confirmed', trigger: 'conditions', rule: { id: 'bp-monitor-cardiovascular' } });
  });

  it('ignores disabled rules and event-triggered rules', () => {
    expect(planGaps([{ ...rule('bp-monitor-cardiovascular'), enabled: false }], patient(['I10'])).size).toBe(0);
    expect(evaluateRule(rule('medication-reconciliation-overdue'), patient(['I10']))).toEqual({ kind: 'not-indicated' });
  });
});

describe(closeReasonFor.name, () => {
  const homeGap = { status: 'open', homeItem: true, ruleTrigger: 'conditions', item: { system: 'HCPCS' as const, code: 'A4670' } };

  it('closes every gap of a patient who died, including team gaps', () => {
    expect(closeReasonFor({ ...homeGap, status: 'ordered' }, patient([], { deceased: true }))).toBe('patient expired');
    expect(closeReasonFor({ ...homeGap, homeItem: false, ruleTrigger: 'medication-reconciliation-breach' }, patient([], { deceased: true }))).toBe('patient expired');
  });

  it('closes a home-item gap in any state when the patient is at a facility or has the item', () => {
    expect(closeReasonFor({ ...homeGap, status: 'ordered' }, patient(['I10'], { atFacility: true }))).toBe('patient discharged to a facility');
    expect(closeReasonFor({ ...homeGap, status: 'delivered' }, patient(['I10'], { devices: { 'HCPCS:A4670': { present: true, flaggedByPharmacist: false } } }))).toBe(
      'item present at home',
    );
  });

  it('closes an untouched gap that is no longer indicated but leaves worked gaps and team gaps to people', () => {
    expect(closeReasonFor(homeGap, patient([]))).toBe('no longer indicated');
    expect(closeReasonFor({ ...homeGap, status: 'coverage-verified' }, patient([]))).toBeNull();
    expect(closeReasonFor({ ...homeGap, ruleTrigger: 'medication-reconciliation-breach' }, patient([]))).toBeNull();
  });
});
