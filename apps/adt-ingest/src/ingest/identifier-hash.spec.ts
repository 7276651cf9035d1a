import { identifierHash, identifierHashes } from './identifier-hash';

const KEY = 'test-key-test-key-test-key-test-key';

describe(identifierHashes.name, () => {
  const hashes = identifierHashes(
    [
      { id: '00482913', assigningAuthority: 'LGH', identifierType: 'MR' },
      { id: 'NSH778812345', assigningAuthority: 'NSHP', identifierType: 'MB' },
    ],
    KEY,
  );

  it('finds an identifier by value with its authority, or by value alone', () => {
    expect(hashes).toContain(identifierHash('00482913', 'LGH', KEY));
    expect(hashes).toContain(identifierHash('00482913', undefined, KEY));
    expect(hashes).toContain(identifierHash('NSH778812345', 'NSHP', KEY));
  });

  it('does not match the same value under another authority', () => {
    expect(hashes).not.toContain(identifierHash('00482913', 'NSHP', KEY));
  });

  it('never holds the identifier itself and depends on the key', () => {
    expect(hashes.join()).not.toContain('00482913');
    expect(identifierHashes([{ id: '00482913', assigningAuthority: 'LGH' }], 'another-key-another-key-another-key')).not.toContain(hashes[0]);
  });
});
