import { transitionProblem } from './gap-lifecycle';

describe(transitionProblem.name, () => {
  it('allows the steps open -> coverage-verified -> ordered -> delivered -> closed', () => {
    expect(transitionProblem('open', 'coverage-verified')).toBeNull();
    expect(transitionProblem('coverage-verified', 'ordered')).toBeNull();
    expect(transitionProblem('ordered', 'delivered')).toBeNull();
    expect(transitionProblem('delivered', 'closed')).toBeNull();
  });

  it('allows dismissing from every open state', () => {
    for (const from of ['open', 'coverage-verified', 'ordered', 'delivered'] as const) {
      expect(transitionProblem(from, 'dismissed')).toBeNull();
    }
  });

  it('refuses skipped steps and any change to a closed or dismissed gap', () => {
    expect(transitionProblem('open', 'ordered')).toBe('a gap that is open can move to coverage-verified or dismissed, not ordered');
    expect(transitionProblem('open', 'closed')).not.toBeNull();
    expect(transitionProblem('closed', 'dismissed')).toBe('the gap is already closed');
    expect(transitionProblem('dismissed', 'open')).toBe('the gap is already dismissed');
  });
});
