import { facilityOf, queueIdOf, requiredLanguage, teamFor } from './queue-routing';

describe('queue routing', () => {
  it('routes an episode to its facility’s team, else the default team', () => {
    expect(facilityOf('enc:LGH:V100')).toBe('LGH');
    expect(facilityOf('something-else')).toBeNull();
    expect(teamFor('enc:LGH:V100', { LGH: 'nursing-lgh' }, 'nursing')).toBe('nursing-lgh');
    expect(teamFor('enc:NSH:V7', { LGH: 'nursing-lgh' }, 'nursing')).toBe('nursing');
    expect(queueIdOf('nursing-lgh', 'equipment')).toBe('nursing-lgh.equipment');
  });

  it.each(['SPA', 'spa', 'es', 'Spanish', 'SPA^Spanish^ISO639', '^Spanish'])('puts a patient the feed reports as %s in the Spanish-speaking nurses’ hold', (raw) => {
    expect(requiredLanguage(raw)).toBe('es');
  });

  it('asks for no language match for English speakers', () => {
    expect(requiredLanguage('ENG^English')).toBeNull();
    expect(requiredLanguage('so')).toBe('so');
  });
});
