import type { EventEnvelope } from '@sc/contracts';

/**
 * Whether an event concerns anyone the service serves, answered from memory before any
 * transaction opens. An event it does not concern is skipped: no transaction, no row, nothing
 * logged above debug; only its offset is committed. Answering true for an event that then
 * concerns nobody costs one transaction; answering false for one that does loses it, so an
 * implementation over-approximates (a key it is unsure of counts as known).
 */
export interface EventRelevance {
  concerns(event: EventEnvelope): boolean;
}

/** Every event concerns the service: for services whose events are all addressed to them. */
export const EVERY_EVENT: EventRelevance = { concerns: () => true };

/** Nest token of the service's EventRelevance (see PlatformOptions.relevance). */
export const EVENT_RELEVANCE = Symbol('EVENT_RELEVANCE');
