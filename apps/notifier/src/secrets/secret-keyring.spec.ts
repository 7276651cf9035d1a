import { randomBytes } from 'node:crypto';
import { SecretKeyring, SecretUnreadableError, parseSecretKey, secretKeyId } from './secret-keyring';

describe(SecretKeyring.name, () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const secret = 'whsec-0123456789abcdef0123456789abcdef';

  it('seals under the current key with a fresh nonce each time and opens what it sealed', () => {
    const keyring = new SecretKeyring(newKey);
    const first = keyring.seal(secret, 'webhook_endpoints:nurse-1');
    const second = keyring.seal(secret, 'webhook_endpoints:nurse-1');
    expect(first.keyId).toBe(secretKeyId(newKey));
    expect(first.ciphertext).not.toBe(second.ciphertext);
    expect(Buffer.from(first.ciphertext, 'base64').toString('latin1')).not.toContain(secret);
    expect(keyring.open(first, 'webhook_endpoints:nurse-1')).toBe(secret);
  });

  it('opens a secret sealed under a previous key after a rotation', () => {
    const sealed = new SecretKeyring(oldKey).seal(secret, 'ctx');
    const rotated = new SecretKeyring(newKey, [oldKey]);
    expect(rotated.currentKeyId).not.toBe(sealed.keyId);
    expect(rotated.holds(sealed.keyId)).toBe(true);
    expect(rotated.open(sealed, 'ctx')).toBe(secret);
  });

  it('refuses a secret under a key it does not hold, under another row, or with altered bytes', () => {
    const keyring = new SecretKeyring(newKey);
    const sealed = keyring.seal(secret, 'webhook_endpoints:nurse-1');
    expect(() => new SecretKeyring(oldKey).open(sealed, 'webhook_endpoints:nurse-1')).toThrow(SecretUnreadableError);
    expect(() => keyring.open(sealed, 'webhook_endpoints:nurse-2')).toThrow(SecretUnreadableError);
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[bytes.length - 1] ^= 1;
    expect(() => keyring.open({ ...sealed, ciphertext: bytes.toString('base64') }, 'webhook_endpoints:nurse-1')).toThrow(SecretUnreadableError);
  });

  it('names keys by an id derived from the key, which does not contain it', () => {
    expect(secretKeyId(newKey)).toMatch(/^[0-9a-f]{16}$/);
    expect(secretKeyId(newKey)).toBe(secretKeyId(Buffer.from(newKey)));
    expect(secretKeyId(newKey)).not.toBe(secretKeyId(oldKey));
    expect(newKey.toString('hex')).not.toContain(secretKeyId(newKey));
  });
});

describe(parseSecretKey.name, () => {
  const key = randomBytes(32);

  it('reads 32 bytes written as hex or base64', () => {
    expect(parseSecretKey(key.toString('hex'))?.equals(key)).toBe(true);
    expect(parseSecretKey(key.toString('base64'))?.equals(key)).toBe(true);
    expect(parseSecretKey(`${key.toString('base64')}\n`)?.equals(key)).toBe(true);
  });

  it('refuses keys of another length or encoding', () => {
    expect(parseSecretKey(randomBytes(31).toString('hex'))).toBeUndefined();
    expect(parseSecretKey(randomBytes(16).toString('base64'))).toBeUndefined();
    expect(parseSecretKey('correct horse battery staple')).toBeUndefined();
  });
});
