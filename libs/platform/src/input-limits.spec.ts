import { isUnstorableText, nestsDeeperThan, unstorableTextPaths } from './input-limits';

describe('input limits', () => {
  it('finds NUL and lone surrogates, which PostgreSQL cannot store, and passes paired surrogates (emoji)', () => {
    expect(isUnstorableText('a\u0000b')).toBe(true);
    expect(isUnstorableText('a\ud800')).toBe(true);
    expect(isUnstorableText('\udc00b')).toBe(true);
    expect(isUnstorableText('😀 Müller')).toBe(false);
  });

  it('names the path of each unstorable string in a body', () => {
    expect(unstorableTextPaths({ familyName: 'A\u0000', identifiers: [{ value: 'ok' }, { value: '\ud800' }] })).toEqual(['familyName', 'identifiers[1].value']);
  });

  it('measures depth without recursion, so 5,000 levels do not overflow the stack', () => {
    let deep: unknown = 'leaf';
    for (let level = 0; level < 5000; level += 1) {
      deep = { a: deep };
    }
    expect(nestsDeeperThan(deep, 32)).toBe(true);
    expect(nestsDeeperThan({ a: [{ b: 1 }] }, 32)).toBe(false);
    expect(nestsDeeperThan(Buffer.alloc(1_000_000), 2)).toBe(false);
  });
});
