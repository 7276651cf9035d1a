import { attributionKeys, subjectKey } from './attribution-keys';

describe(attributionKeys.name, () => {
  it('keys identifiers by authority and value, ignoring identifiers without an authority', () => {
    expect(
      attributionKeys({
        identifiers: [
          { authority: 'LGH', value: 'MRN-1' },
          { authority: null, value: 'LOOSE' },
        ],
      }),
    ).toEqual(['identifier:LGH|MRN-1']);
  });

  it('keys birth date with each name, case-insensitively, so a partial demographic match shares a key', () => {
    const roster = attributionKeys({ birthDate: '1968-04-12', familyName: 'TESTER', givenName: 'PAT' });
    const sameFamilyOtherGiven = attributionKeys({ birthDate: '1968-04-12', familyName: 'Tester', givenName: 'Sam' });
    const sameGivenOtherFamily = attributionKeys({ birthDate: '1968-04-12', familyName: 'Other', givenName: 'pat' });
    expect(sameFamilyOtherGiven.filter((key) => roster.includes(key))).toEqual(['family:1968-04-12|TESTER']);
    expect(sameGivenOtherFamily.filter((key) => roster.includes(key))).toEqual(['given:1968-04-12|PAT']);
  });

  it('gives no demographic key without a birth date, and compares a missing name as empty', () => {
    expect(attributionKeys({ familyName: 'TESTER', givenName: 'PAT' })).toEqual([]);
    expect(attributionKeys({ birthDate: '1950-01-01', familyName: null, givenName: 'ANN' })).toEqual(['family:1950-01-01|', 'given:1950-01-01|ANN']);
  });

  it('never lets an identifier, a name or a subject stand for one another', () => {
    const keys = [...attributionKeys({ identifiers: [{ authority: 'A', value: 'B' }], birthDate: '2000-01-01', familyName: 'B', givenName: 'B' }), subjectKey('A|B')];
    expect(new Set(keys).size).toBe(keys.length);
  });
});
