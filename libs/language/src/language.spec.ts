import { canonicalLanguage, languageCode, languageCodes } from './language';

describe(canonicalLanguage.name, () => {
  it.each(['SPA', 'spa', 'es', 'ES', 'es-MX', 'Spanish', 'spanish language', 'Español', 'SPA^Spanish^ISO639', 'SPA^Spanish^ISO639-2', '^Spanish', '^^^es^Spanish^ISO639-1', 'XX^Spanish^L'])(
    'reads %s as Spanish (es)',
    (raw) => {
      expect(canonicalLanguage(raw)).toEqual({ code: 'es', recognised: true });
    },
  );

  it('maps ISO 639-2/B and 639-2/T codes of one language to its 639-1 code', () => {
    expect(['ger', 'deu', 'GER'].map(languageCode)).toEqual(['de', 'de', 'de']);
    expect(['chi', 'zho', 'Chinese'].map(languageCode)).toEqual(['zh', 'zh', 'zh']);
    expect(['VIE', 'vie^Vietnamese^ISO639'].map(languageCode)).toEqual(['vi', 'vi']);
  });

  it('keeps a value no table names as given (code-shaped lower-cased) and says it was not recognised', () => {
    expect(canonicalLanguage('HMN^Hmong^ISO639-3')).toEqual({ code: 'hmn', recognised: false });
    expect(canonicalLanguage('Klingonese')).toEqual({ code: 'Klingonese', recognised: false });
    expect(canonicalLanguage('^Klingonese')).toEqual({ code: 'Klingonese', recognised: false });
  });

  it('is null for an empty value', () => {
    expect(canonicalLanguage(null)).toBeNull();
    expect(canonicalLanguage('  ')).toBeNull();
    expect(canonicalLanguage('^^')).toEqual({ code: '^^', recognised: false });
  });

  it('lists a profile’s languages once each, as canonical codes', () => {
    expect(languageCodes(['en', 'ENG', 'spa', 'Spanish', 'hmn']).map((language) => language.code)).toEqual(['en', 'es', 'hmn']);
  });
});
