import { AUTO_MATCH_SCORE, REVIEW_THRESHOLD, demographicScore } from './demographic-score';

const roster = { familyName: 'Rivera', givenName: 'Jason', birthDate: '1968-04-12', sex: 'M' };

describe(demographicScore.name, () => {
  it('scores a full agreement of name, birth date and sex as a perfect match', () => {
    expect(demographicScore({ familyName: 'RIVERA', givenName: 'JASON', birthDate: '1968-04-12', sex: 'M' }, roster)).toBe(AUTO_MATCH_SCORE);
  });

  it('ignores case, accents and punctuation in names', () => {
    expect(demographicScore({ familyName: 'Rivéra', givenName: 'jason', birthDate: '1968-04-12', sex: 'M' }, roster)).toBe(1);
  });

  it('sends a nickname with the same initial to review, not to an automatic match', () => {
    const score = demographicScore({ familyName: 'RIVERA', givenName: 'JAY', birthDate: '1968-04-12', sex: 'M' }, roster);
    expect(score).toBeGreaterThanOrEqual(REVIEW_THRESHOLD);
    expect(score).toBeLessThan(AUTO_MATCH_SCORE);
  });

  it('scores a different birth date below the review threshold', () => {
    expect(demographicScore({ familyName: 'RIVERA', givenName: 'JASON', birthDate: '1970-01-01', sex: 'M' }, roster)).toBeLessThan(0.75);
  });
});
