import { codeUsable, sensitiveCategoryOf } from './sensitive-categories';

describe(sensitiveCategoryOf.name, () => {
  it.each([
    ['F10.20', 'substance-use'],
    ['F19.10', 'substance-use'],
    ['F32.9', 'mental-health'],
    ['F01.50', 'mental-health'],
    ['F99', 'mental-health'],
    ['B20', 'hiv'],
    ['Z21', 'hiv'],
    ['O98.72', 'hiv'],
    ['I10', null],
    ['E11.9', null],
    ['O13.9', null],
  ])('puts %s in %s', (code, category) => {
    expect(sensitiveCategoryOf(code)).toBe(category);
  });
});

describe(codeUsable.name, () => {
  it('uses a sensitive code only with consent for its own category', () => {
    expect(codeUsable('F10.20', new Set())).toBe(false);
    expect(codeUsable('F10.20', new Set(['mental-health']))).toBe(false);
    expect(codeUsable('F10.20', new Set(['substance-use']))).toBe(true);
    expect(codeUsable('I10', new Set())).toBe(true);
  });
});
