import { inCodeSet, normalizeIcd10, type ConditionCodeSet } from './code-sets';

const cardiovascular: ConditionCodeSet = { system: 'ICD10', ranges: [{ from: 'I20', to: 'I25' }, { from: 'I10', to: 'I16' }], prefixes: ['I50'] };

describe(inCodeSet.name, () => {
  it.each(['I25.10', 'I21.4', 'I10', 'i16.0', 'I50.22', 'I5022'])('matches %s in I20-I25, I10-I16 or I50', (code) => {
    expect(inCodeSet(code, cardiovascular)).toBe(true);
  });

  it.each(['I26.99', 'I09.9', 'I51.9', 'E11.9', 'O13.9'])('does not match %s', (code) => {
    expect(inCodeSet(code, cardiovascular)).toBe(false);
  });

  it('matches a dotted prefix against codes written with or without the dot', () => {
    const set: ConditionCodeSet = { system: 'ICD10', ranges: [], prefixes: ['O10.0'] };
    expect(inCodeSet('O10.02', set)).toBe(true);
    expect(inCodeSet('O1002', set)).toBe(true);
    expect(inCodeSet('O10.9', set)).toBe(false);
  });

  it('normalizes case, dots and spaces', () => {
    expect(normalizeIcd10(' e11.65 ')).toBe('E1165');
  });
});
