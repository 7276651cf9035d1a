import { ConfigError, loadConfig } from '@sc/config';
import { ReferralConfig } from './config';

describe(ReferralConfig.name, () => {
  it('reads the facility-to-team map and the clocks from the environment', () => {
    const config = loadConfig(ReferralConfig, { REFERRAL_FACILITY_TEAMS: 'LGH=nursing-lgh, NSH=nursing-nsh', REFERRAL_LEASE_SECONDS: '120' });
    expect(config.REFERRAL_FACILITY_TEAMS).toEqual({ LGH: 'nursing-lgh', NSH: 'nursing-nsh' });
    expect(config).toMatchObject({ REFERRAL_LEASE_SECONDS: 120, REFERRAL_WINDOW_HOURS: 72, REFERRAL_DEFAULT_TEAM: 'nursing' });
  });

  it('refuses to start on a malformed team map or lease, naming the variable', () => {
    const problems = (env: NodeJS.ProcessEnv): string => {
      try {
        loadConfig(ReferralConfig, env);
        return '';
      } catch (error) {
        return error instanceof ConfigError ? error.message : String(error);
      }
    };
    expect(problems({ REFERRAL_FACILITY_TEAMS: 'LGH=nursing lgh' })).toContain('REFERRAL_FACILITY_TEAMS');
    expect(problems({ REFERRAL_LEASE_SECONDS: '0' })).toContain('REFERRAL_LEASE_SECONDS');
    expect(problems({ PARTICIPATING_PLANS: 'NSHP-GOLD, NSHP SILVER' })).toContain('PARTICIPATING_PLANS');
  });

  it('serves every covered patient unless participating plans are named', () => {
    expect(loadConfig(ReferralConfig, {}).PARTICIPATING_PLANS).toEqual(['*']);
    expect(loadConfig(ReferralConfig, { PARTICIPATING_PLANS: 'NSHP-GOLD, PLAN-B' }).PARTICIPATING_PLANS).toEqual(['NSHP-GOLD', 'PLAN-B']);
  });
});
