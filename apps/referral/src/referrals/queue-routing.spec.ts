import { facilityOf, normalizeLanguage, queueIdOf, requiredLanguage, teamFor } from './queue-routing';

describe('queue routing', () => {
  it('routes an episode to its facility’s team, else the default team', () => {
    expect(facilityOf('enc:LGH:V100')).toBe('LGH');
    expect(facilityOf('something-else')).toBeNull();
    expect(teamFor('enc:LGH:V100', { LGH: 'nursing-lgh' }, 'nursing')).toBe('nursing-lgh');
    expect(teamFor('enc:NSH:V7', { LGH: 'nursing-lgh' }, 'nursing')).toBe('nursing');
    expect(queueIdOf('nursing-lgh', 'equipment')).toBe('nursing-lgh.equipment');
  });

  it('reads PID-15 languages in their usual shapes', () => {
    expect(normalizeLanguage('SPA^Spanish^ISO639-2')).toBe('es');
    expect(normalizeLanguage('es-MX')).toBe('es');
    expect(normalizeLanguage('vie')).toBe('vi');
    expect(normalizeLanguage('hmn')).toBe('hmn');
    expect(normalizeLanguage('Spanish language')).toBeNull();
    expect(normalizeLanguage(null)).toBeNull();
  });

  it('asks for no language match for English speakers', () => {
    expect(requiredLanguage('ENG^English')).toBeNull();
    expect(requiredLanguage('so')).toBe('so');
  });
});
