import { DEFAULT_FACILITIES, FeedStream, feedPatients, rosterRows } from '../../feed/feed-engine';
import type { FeedMix } from '../../feed/feed-mix';
import { renderAdt, seededRandom, type SyntheticPatient } from '../../feed/synthetic-hospital';
import type { SystemUnderTest } from '@sc/testing';

/** Patients of a benchmark's feed: enough that a patient's messages are minutes apart, as in a hospital. */
export const BENCH_PATIENTS = 20_000;

/** The patients of a mix, the same for a seed: each system a benchmark measures gets them fresh, so it receives the same messages. */
export function benchPatients(mix: FeedMix, seed = 42): SyntheticPatient[] {
  return feedPatients({ patients: BENCH_PATIENTS, facilities: DEFAULT_FACILITIES, rosterShare: mix.attributedShare, seed, censusShare: mix.censusShare });
}

/**
 * Messages of the mix for `runLoad`, each connection carrying its own share of the patients (a
 * patient's messages arrive in order on one interface, as a hospital's interface engine sends
 * them); control ids are `<prefix>-<connection>-<sequence>`.
 */
export function mixedMessages(mix: FeedMix, patients: readonly SyntheticPatient[], connections: number, prefix: string): (connection: number, sequence: number) => string {
  const streams = Array.from(
    { length: connections },
    (_, connection) => new FeedStream(patients.filter((_patient, index) => index % connections === connection), mix.events, seededRandom(1000 + connection), mix.plausibleEncounters),
  );
  const random = seededRandom(7);
  return (connection, sequence) => {
    const { patient, trigger } = streams[connection].next();
    return renderAdt(patient, trigger, `${prefix}-${connection}-${sequence}`, new Date(), random);
  };
}

/** Puts the mix's attributed patients on pharmacy-alert's roster (when it runs). */
export async function loadRoster(system: SystemUnderTest, patients: readonly SyntheticPatient[], extra: ReadonlyArray<Record<string, unknown>> = []): Promise<number> {
  if (!system.processes.has('pharmacy-alert')) {
    return 0;
  }
  const url = system.service('pharmacy-alert').url('/v1/roster/patients');
  const roster = [...rosterRows([...patients], 'team-synthetic'), ...extra];
  for (let start = 0; start < roster.length; start += 2000) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...system.authorization('bench-feed', ['integration']) },
      body: JSON.stringify({ patients: roster.slice(start, start + 2000) }),
    });
    if (!response.ok) {
      throw new Error(`roster upload refused: ${response.status}`);
    }
  }
  return roster.length;
}
