import { createHmac, createPublicKey, timingSafeEqual, verify as verifySignature, type JsonWebKey, type KeyObject } from 'node:crypto';
import { isRole, type Principal } from './roles';

export interface JwtVerifierOptions {
  /** OIDC JWKS endpoint (RS256 / ES256 keys, selected by `kid`). */
  jwksUrl?: string;
  /** A PEM public key (RS256 / ES256) for deployments without JWKS. */
  publicKeyPem?: string;
  /** A shared secret (HS256), for local development and tests only. */
  sharedSecret?: string;
  issuer?: string;
  audience?: string;
  /** Accepted clock difference between issuer and us. */
  clockToleranceSeconds?: number;
  /** How long fetched JWKS keys are trusted before refetching. */
  jwksCacheMs?: number;
}

/** Why a token was refused; never includes the token itself. */
export class TokenError extends Error {
  constructor(readonly reason: string) {
    super(`invalid bearer token: ${reason}`);
    this.name = TokenError.name;
  }
}

interface JwtHeader {
  alg?: string;
  kid?: string;
  typ?: string;
}

interface JwtClaims {
  sub?: unknown;
  iss?: unknown;
  aud?: unknown;
  exp?: unknown;
  nbf?: unknown;
  roles?: unknown;
  teams?: unknown;
}

const decodePart = <T>(part: string): T => {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as T;
  } catch {
    throw new TokenError('malformed');
  }
};

const ASYMMETRIC: Record<string, { algorithm: string; dsaEncoding?: 'ieee-p1363' }> = {
  RS256: { algorithm: 'sha256' },
  ES256: { algorithm: 'sha256', dsaEncoding: 'ieee-p1363' },
};

/**
 * Verifies OIDC-style JWT bearer tokens with node's crypto (no `alg: none`, no algorithm
 * confusion: HS256 only when a shared secret is configured and no public key is), and turns
 * the claims into a Principal (`sub`, `roles`, `teams`).
 */
export class JwtVerifier {
  private jwks: { keys: Map<string, KeyObject>; fetchedAt: number } | undefined;
  private readonly publicKey: KeyObject | undefined;

  constructor(private readonly options: JwtVerifierOptions) {
    if (!options.jwksUrl && !options.publicKeyPem && !options.sharedSecret) {
      throw new Error('JwtVerifier needs a JWKS URL, a public key or (for local use) a shared secret');
    }
    this.publicKey = options.publicKeyPem ? createPublicKey(options.publicKeyPem) : undefined;
  }

  async verify(token: string): Promise<Principal> {
    const parts = token.split('.');
    if (parts.length !== 3) {
      throw new TokenError('malformed');
    }
    const [headerPart, payloadPart, signaturePart] = parts;
    const header = decodePart<JwtHeader>(headerPart);
    const signed = Buffer.from(`${headerPart}.${payloadPart}`);
    const signature = Buffer.from(signaturePart, 'base64url');
    await this.checkSignature(header, signed, signature);
    return this.principalFrom(decodePart<JwtClaims>(payloadPart));
  }

  private async checkSignature(header: JwtHeader, signed: Buffer, signature: Buffer): Promise<void> {
    if (header.alg === 'HS256') {
      if (!this.options.sharedSecret || this.publicKey || this.options.jwksUrl) {
        throw new TokenError('algorithm not accepted');
      }
      const expected = createHmac('sha256', this.options.sharedSecret).update(signed).digest();
      if (expected.length !== signature.length || !timingSafeEqual(expected, signature)) {
        throw new TokenError('bad signature');
      }
      return;
    }
    const spec = header.alg ? ASYMMETRIC[header.alg] : undefined;
    if (!spec) {
      throw new TokenError('algorithm not accepted');
    }
    const key = this.publicKey ?? (await this.jwksKey(header.kid));
    const ok = verifySignature(spec.algorithm, signed, spec.dsaEncoding ? { key, dsaEncoding: spec.dsaEncoding } : key, signature);
    if (!ok) {
      throw new TokenError('bad signature');
    }
  }

  private principalFrom(claims: JwtClaims): Principal {
    const now = Math.floor(Date.now() / 1000);
    const tolerance = this.options.clockToleranceSeconds ?? 30;
    if (typeof claims.exp !== 'number' || claims.exp + tolerance < now) {
      throw new TokenError('expired');
    }
    if (typeof claims.nbf === 'number' && claims.nbf - tolerance > now) {
      throw new TokenError('not yet valid');
    }
    if (this.options.issuer && claims.iss !== this.options.issuer) {
      throw new TokenError('wrong issuer');
    }
    if (this.options.audience) {
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!audiences.includes(this.options.audience)) {
        throw new TokenError('wrong audience');
      }
    }
    if (typeof claims.sub !== 'string' || claims.sub.length === 0) {
      throw new TokenError('no subject');
    }
    const roles = Array.isArray(claims.roles) ? claims.roles.filter(isRole) : [];
    const teams = Array.isArray(claims.teams) ? claims.teams.filter((team): team is string => typeof team === 'string') : [];
    return { id: claims.sub, roles, teams };
  }

  private async jwksKey(kid: string | undefined): Promise<KeyObject> {
    if (!this.options.jwksUrl) {
      throw new TokenError('no key to verify with');
    }
    const maxAge = this.options.jwksCacheMs ?? 10 * 60_000;
    const fresh = this.jwks && Date.now() - this.jwks.fetchedAt < maxAge;
    let key = fresh && kid ? this.jwks?.keys.get(kid) : undefined;
    if (!key) {
      // Unknown kid: the issuer may have rotated keys; refetch once.
      await this.fetchJwks(this.options.jwksUrl);
      key = kid ? this.jwks?.keys.get(kid) : this.jwks?.keys.values().next().value;
    }
    if (!key) {
      throw new TokenError('unknown key id');
    }
    return key;
  }

  private async fetchJwks(url: string): Promise<void> {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) {
      throw new TokenError('JWKS unavailable');
    }
    const body = (await response.json()) as { keys?: Array<JsonWebKey & { kid?: string }> };
    const keys = new Map<string, KeyObject>();
    for (const jwk of body.keys ?? []) {
      if (jwk.kid) {
        keys.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
      }
    }
    this.jwks = { keys, fetchedAt: Date.now() };
  }
}

/** Signs an HS256 token; for local use, the demo and tests (production tokens come from the identity provider). */
export function signDevelopmentToken(secret: string, claims: { sub: string; roles: string[]; teams?: string[]; ttlSeconds?: number; iss?: string; aud?: string }): string {
  const now = Math.floor(Date.now() / 1000);
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(
    JSON.stringify({ sub: claims.sub, roles: claims.roles, teams: claims.teams ?? [], iat: now, exp: now + (claims.ttlSeconds ?? 3600), iss: claims.iss, aud: claims.aud }),
  ).toString('base64url');
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}
