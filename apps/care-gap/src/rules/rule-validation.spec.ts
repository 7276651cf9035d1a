import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseRuleFile, RuleFileError, titleProblem, validateRule } from './rule-validation';

const RULES_FILE = path.join(__dirname, '..', '..', 'rules', 'care-gap-rules.json');

const bpRule = (overrides: Record<string, unknown> = {}) => ({
  id: 'bp-monitor-test',
  version: 1,
  enabled: true,
  gapType: 'home-bp-monitor',
  description: 'test',
  trigger: 'conditions',
  conditions: { system: 'ICD10', ranges: [{ from: 'I10', to: 'I16' }], prefixes: [] },
  item: { system: 'HCPCS', code: 'A4670', display: 'Automatic blood pressure monitor' },
  homeItem: true,
  severity: 'moderate',
  recommendedAction: 'Order a monitor',
  notificationTitle: 'Care gap: home device to arrange',
  ...overrides,
});

describe(parseRuleFile.name, () => {
  it('accepts the checked-in starter rules', () => {
    const rules = parseRuleFile(readFileSync(RULES_FILE, 'utf8'), RULES_FILE);
    expect(rules.map((rule) => rule.id)).toEqual([
      'bp-monitor-cardiovascular',
      'scale-heart-failure',
      'glucose-meter-diabetes',
      'pulse-oximeter-copd',
      'bp-monitor-hypertensive-pregnancy',
      'postpartum-bp-follow-up',
      'medication-reconciliation-overdue',
    ]);
  });

  it('refuses a file with an invalid rule and names the rule and each problem', () => {
    const text = JSON.stringify({ rules: [bpRule(), bpRule({ id: 'broken-rule', severity: 'urgent', recommendedAction: undefined }), bpRule({ id: 'bad-code', item: { system: 'HCPCS', code: 'BP-1', display: 'x' } })] });
    expect(() => parseRuleFile(text, 'rules.json')).toThrow(RuleFileError);
    expect(() => parseRuleFile(text, 'rules.json')).toThrow(/rule "broken-rule": severity .*, recommendedAction .*; rule "bad-code": item.code must be a HCPCS Level II code/);
  });

  it('refuses duplicate rule ids, a file that is not JSON, and a file without rules', () => {
    expect(() => parseRuleFile(JSON.stringify({ rules: [bpRule(), bpRule()] }), 'f')).toThrow(/rule "bp-monitor-test": duplicate id/);
    expect(() => parseRuleFile('{ rules: ', 'f')).toThrow(/not valid JSON/);
    expect(() => parseRuleFile('{"rules": []}', 'f')).toThrow(/non-empty array/);
  });
});

describe(validateRule.name, () => {
  it('requires a code set for a condition rule and forbids one for an event rule', () => {
    expect(validateRule(bpRule({ conditions: { system: 'ICD10', ranges: [], prefixes: [] } })).problems).toContain(
      'conditions must name at least one range or prefix when trigger is conditions',
    );
    const eventRule = bpRule({ trigger: 'medication-reconciliation-breach', item: { system: 'TASK', code: 'medication-reconciliation', display: 'x' } });
    expect(validateRule(eventRule).problems).toEqual(
      expect.arrayContaining(['conditions are not allowed when trigger is medication-reconciliation-breach', 'homeItem must be false when trigger is medication-reconciliation-breach']),
    );
  });

  it('refuses a reversed range and an unknown field', () => {
    expect(validateRule(bpRule({ conditions: { system: 'ICD10', ranges: [{ from: 'I25', to: 'I20' }], prefixes: [] } })).problems).toEqual([
      'conditions.ranges I25-I20: from is after to',
    ]);
    expect(validateRule(bpRule({ extra: 1 })).problems.join()).toMatch(/extra/);
  });

  it('refuses a notification title that names a condition or a code', () => {
    expect(validateRule(bpRule({ notificationTitle: 'Hypertension: BP monitor needed' })).problems).toEqual(['notificationTitle must not name a condition (minimum necessary)']);
    expect(titleProblem('Gap for I10 patient')).toBe('notificationTitle must not contain a diagnosis code');
    expect(titleProblem('Care gap: postpartum visit')).not.toBeNull();
    expect(titleProblem('Care gap: home device to arrange')).toBeNull();
  });
});
