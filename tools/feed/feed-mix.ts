import type { Facility, FeedTrigger } from './synthetic-hospital';

/**
 * What a feed is made of, declared so every benchmark says what it measured: the share of
 * patients attributed to a participating program, the share of each ADT event, and the
 * facilities sending. Benchmarks print it and save it with their results, because the cost of a
 * message depends on whether it concerns anyone.
 */
export interface FeedMix {
  readonly name: FeedMixName;
  readonly description: string;
  /** Share of patients on pharmacy-alert's roster whose coverage names the participating plan. */
  readonly attributedShare: number;
  /** Percent of messages of each trigger event (they add up to 100). */
  readonly events: Readonly<Record<FeedTrigger, number>>;
  /**
   * Keep each patient's encounter plausible (no discharge before an admission): messages go to a
   * patient whose encounter allows the event drawn. Off for the worst case, where every message
   * discharges a visit of its own.
   */
  readonly plausibleEncounters: boolean;
  /** Share of patients already in hospital when the feed starts, so updates and discharges have someone to concern from the first message. */
  readonly censusShare: number;
}

export type FeedMixName = 'realistic' | 'worst';

export const DEFAULT_FACILITIES: Facility[] = [
  { id: 'LGH', timeZone: 'America/Chicago', sendsOffsets: true },
  { id: 'NSH', timeZone: 'America/New_York', sendsOffsets: false },
  { id: 'MVM', timeZone: 'America/Denver', sendsOffsets: false },
  { id: 'PHX', timeZone: 'America/Phoenix', sendsOffsets: true },
];

/**
 * A hospital's ADT feed is mostly updates: A08 is the most frequent event (demographics,
 * insurance, attending and diagnosis changes), admissions and discharges come about one each per
 * stay, registrations of outpatient visits and transfers less often, cancellations rarely.
 * Admissions plus cancelled discharges equal discharges plus cancelled admissions, so the
 * in-hospital census stays level however long the feed runs.
 */
const REALISTIC_EVENTS: Record<FeedTrigger, number> = { A08: 40, A01: 16, A03: 16, A04: 12, A02: 10, A11: 3, A13: 3 };

export const FEED_MIXES: Readonly<Record<FeedMixName, FeedMix>> = {
  realistic: {
    name: 'realistic',
    description: 'realistic: 30% of patients attributed, A08 the most frequent event',
    attributedShare: 0.3,
    events: REALISTIC_EVENTS,
    plausibleEncounters: true,
    censusShare: 0.3,
  },
  worst: {
    name: 'worst',
    description: 'worst case: every patient attributed, every message a discharge',
    attributedShare: 1,
    events: { A08: 0, A01: 0, A03: 100, A04: 0, A02: 0, A11: 0, A13: 0 },
    plausibleEncounters: false,
    censusShare: 0,
  },
};

/** The default event weights of the feed generator. */
export const DEFAULT_MIX: Record<FeedTrigger, number> = REALISTIC_EVENTS;

export function feedMix(name: string): FeedMix {
  if (!(name in FEED_MIXES)) {
    throw new Error(`unknown feed mix "${name}" (${Object.keys(FEED_MIXES).join(', ')})`);
  }
  return FEED_MIXES[name as FeedMixName];
}

/** One line for a benchmark's output: `feed mix realistic: 30% attributed; A08 40%, ...; 4 facilities`. */
export function describeFeedMix(mix: FeedMix, facilities: readonly Facility[] = DEFAULT_FACILITIES): string {
  const events = Object.entries(mix.events)
    .filter(([, share]) => share > 0)
    .sort(([, a], [, b]) => b - a)
    .map(([trigger, share]) => `${trigger} ${share}%`)
    .join(', ');
  return `feed mix ${mix.name}: ${Math.round(mix.attributedShare * 100)}% of patients attributed; ${events}; ${facilities.length} facilities (${facilities.map((facility) => facility.id).join(', ')})`;
}

/** The mix as a result file records it. */
export function feedMixRecord(mix: FeedMix, facilities: readonly Facility[] = DEFAULT_FACILITIES): Record<string, unknown> {
  return { ...mix, facilities: facilities.map((facility) => facility.id) };
}
