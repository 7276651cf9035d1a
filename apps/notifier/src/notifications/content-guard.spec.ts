import { linkViolation, titleViolation } from './content-guard';

describe('notification content guard', () => {
  it.each([
    'Patient discharged: call and reconcile medications',
    'Patient discharged to a facility: coordinate care',
    'Refill on hold',
  ])('accepts the fixed work titles producers send (%s)', (title) => {
    expect(titleViolation(title)).toBeNull();
  });

  it.each([
    ['Discharged with I25.10', 'TITLE_HAS_DIAGNOSIS_CODE'],
    ['Follow up F32', 'TITLE_HAS_DIAGNOSIS_CODE'],
    ['HIV clinic follow-up', 'TITLE_HAS_SENSITIVE_TERM'],
    ['Call about overdose', 'TITLE_HAS_SENSITIVE_TERM'],
    ['Psychiatric discharge', 'TITLE_HAS_SENSITIVE_TERM'],
    ['New diagnosis: diabetes', 'TITLE_HAS_SENSITIVE_TERM'],
    ['Pregnancy test result', 'TITLE_HAS_SENSITIVE_TERM'],
    ['Refill\r\nBcc: someone@example.com', 'TITLE_HAS_CONTROL_CHARACTER'],
    ['   ', 'TITLE_EMPTY'],
    ['x'.repeat(161), 'TITLE_TOO_LONG'],
  ])('refuses a title that names a diagnosis or sensitive category, or could inject headers (%s)', (title, violation) => {
    expect(titleViolation(title)).toBe(violation);
  });

  it('accepts a path link and refuses links that could carry identifiers or leave the service', () => {
    expect(linkViolation('/v1/tasks/7d1c1f0e-54a5-4c37-9e5c-0b1c3f0a9e21')).toBeNull();
    expect(linkViolation('/v1/tasks?mrn=00482913')).toBe('LINK_NOT_A_PATH');
    expect(linkViolation('https://evil.example/x')).toBe('LINK_NOT_A_PATH');
    expect(linkViolation('/v1/../admin')).toBe('LINK_NOT_A_PATH');
  });
});
