import { ConfigError, loadConfig } from '@sc/config';
import { PharmacyAlertConfig } from './config';

const problems = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(PharmacyAlertConfig, env);
    return [];
  } catch (error) {
    return error instanceof ConfigError ? error.problems : [String(error)];
  }
};

describe(PharmacyAlertConfig.name, () => {
  it('reads the business calendar and the clocks escalation runs against', () => {
    const config = loadConfig(PharmacyAlertConfig, {
      FACILITY_TIME_ZONES: 'LGH=America/Chicago',
      BUSINESS_HOLIDAYS: '2026-11-26, 2026-12-25',
      ESCALATION_CLOCKS: 'follow-up-24h,tcm-interactive-contact',
    });
    expect(config.FACILITY_TIME_ZONES).toEqual({ LGH: 'America/Chicago' });
    expect(config.BUSINESS_HOLIDAYS).toEqual(['2026-11-26', '2026-12-25']);
    expect(config.ESCALATION_CLOCKS).toEqual(['follow-up-24h', 'tcm-interactive-contact']);
  });

  it('refuses an unknown time zone, a holiday that is not a date and a clock that does not exist', () => {
    expect(problems({ FACILITY_TIME_ZONES: 'LGH=Mars/Olympus' }).join()).toContain('FACILITY_TIME_ZONES');
    expect(problems({ DEFAULT_TIME_ZONE: 'Mars/Olympus' }).join()).toContain('DEFAULT_TIME_ZONE');
    expect(problems({ BUSINESS_HOLIDAYS: '2026-02-30' }).join()).toContain('BUSINESS_HOLIDAYS');
    expect(problems({ BUSINESS_HOLIDAYS: '26/11/2026' }).join()).toContain('BUSINESS_HOLIDAYS');
    expect(problems({ ESCALATION_CLOCKS: 'tcm-contact' }).join()).toContain('ESCALATION_CLOCKS');
  });
});
