import { createHmac } from 'node:crypto';
import type { PatientIdentifier } from '@sc/hl7';

/** Any assigning authority: a search by value alone. */
const ANY_AUTHORITY = '*';

/** A keyed hash of one identifier (assigning authority + value), so identifiers are searchable but never stored in clear. */
export function identifierHash(value: string, authority: string | undefined, key: string): string {
  return createHmac('sha256', key)
    .update(`identifier|${authority ?? ANY_AUTHORITY}|${value}`)
    .digest('hex')
    .slice(0, 32);
}

/** Each identifier twice: with its assigning authority, and under any authority (for a search by value). */
export function identifierHashes(identifiers: readonly PatientIdentifier[], key: string): string[] {
  const hashes = identifiers.flatMap((identifier) => [
    ...(identifier.assigningAuthority ? [identifierHash(identifier.id, identifier.assigningAuthority, key)] : []),
    identifierHash(identifier.id, undefined, key),
  ]);
  return [...new Set(hashes)];
}
