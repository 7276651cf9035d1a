import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** AES-256-GCM: 32-byte key, 12-byte nonce (random per encryption), 16-byte tag. */
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=?$/;

/** The key every non-production instance uses when NOTIFIER_SECRET_KEY is not set; refused in production. */
export const DEVELOPMENT_SECRET_KEY = Buffer.from('development-only-notifier-key-32').toString('base64');

/** A 32-byte key written as 64 hex digits or as base64; undefined for anything else. */
export function parseSecretKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (HEX_KEY.test(trimmed)) {
    return Buffer.from(trimmed, 'hex');
  }
  if (BASE64_KEY.test(trimmed)) {
    const key = Buffer.from(trimmed, 'base64');
    return key.length === KEY_BYTES ? key : undefined;
  }
  return undefined;
}

/**
 * A key's id is derived from the key (an HMAC under it, shortened), so operators rotate by
 * swapping key values only and a stored id can never point at the wrong key. It reveals nothing
 * about the key and may be logged.
 */
export function secretKeyId(key: Buffer): string {
  return createHmac('sha256', key).update('synchronized-care notifier secret key id').digest('hex').slice(0, 16);
}

export interface SealedSecret {
  keyId: string;
  /** base64 of nonce, tag and ciphertext. */
  ciphertext: string;
}

/** A sealed secret whose key this instance does not hold (or whose bytes were altered). */
export class SecretUnreadableError extends Error {
  constructor(readonly keyId: string) {
    super(`secret sealed under key ${keyId} cannot be opened with the configured keys`);
    this.name = SecretUnreadableError.name;
  }
}

/**
 * Encrypts secrets at rest under the current key and opens them under the current or a previous
 * key. `context` (e.g. the row the secret belongs to) is authenticated but not stored, so a
 * ciphertext copied onto another row does not open there.
 */
export class SecretKeyring {
  readonly currentKeyId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    this.currentKeyId = secretKeyId(current);
    this.keys.set(this.currentKeyId, current);
    for (const key of previous) {
      const id = secretKeyId(key);
      if (!this.keys.has(id)) {
        this.keys.set(id, key);
      }
    }
  }

  /** From the configured texts (already validated at boot). */
  static fromConfig(current: string, previous: readonly string[]): SecretKeyring {
    const parse = (text: string): Buffer => {
      const key = parseSecretKey(text);
      if (!key) {
        throw new Error('invalid secret key');
      }
      return key;
    };
    return new SecretKeyring(parse(current), previous.map(parse));
  }

  holds(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  seal(plaintext: string, context: string): SealedSecret {
    const key = this.keys.get(this.currentKeyId) as Buffer;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId: this.currentKeyId, ciphertext: Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64') };
  }

  open(sealed: SealedSecret, context: string): string {
    const key = this.keys.get(sealed.keyId);
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    if (!key || bytes.length < IV_BYTES + TAG_BYTES) {
      throw new SecretUnreadableError(sealed.keyId);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretUnreadableError(sealed.keyId);
    }
  }
}
