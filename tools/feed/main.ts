import { parseArgs } from 'node:util';
import { DEVELOPMENT_JWT_SECRET } from '@sc/config';
import { signDevelopmentToken } from '@sc/security';
import { DEFAULT_FACILITIES, feedPatients, rosterRows, runFeed, type FeedOptions } from './feed-engine';
import { FEED_MIXES, describeFeedMix, feedMix } from './feed-mix';
import type { FeedTrigger } from './synthetic-hospital';

const HELP = `Plays a synthetic hospital ADT feed over MLLP.

usage: npm run feed -- [options]
  --host 127.0.0.1        --port 2575          MLLP endpoint (adt-ingest)
  --rate 200              messages per second   --duration 30   seconds
  --patients 2000         synthetic patients
  --mix realistic         a named mix (${Object.keys(FEED_MIXES).join(', ')}) or event weights: A08=40,A01=16,A03=16,A04=12,A02=10,A11=3,A13=3
  --roster-share 0.3      share of patients attributed (rostered, participating plan); default: the named mix's
  --resend-share 0.02     --malformed-share 0.01
  --facilities LGH:America/Chicago:offset,NSH:America/New_York:local
  --connections 4         --seed 42
  --load-roster http://127.0.0.1:3002   first upsert the rostered share into pharmacy-alert`;

function parseMix(text: string): Record<FeedTrigger, number> {
  const mix = { A01: 0, A02: 0, A03: 0, A04: 0, A08: 0, A11: 0, A13: 0 };
  for (const pair of text.split(',')) {
    const [trigger, weight] = pair.split('=');
    if (!(trigger in mix) || Number.isNaN(Number(weight))) {
      throw new Error(`--mix: cannot read "${pair}" (expected e.g. A03=30)`);
    }
    mix[trigger as FeedTrigger] = Number(weight);
  }
  return mix;
}

function bar(fraction: number, width = 30): string {
  const filled = Math.round(Math.min(1, fraction) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: process.env.MLLP_PORT ?? '2575' },
      rate: { type: 'string', default: '200' },
      duration: { type: 'string', default: '30' },
      patients: { type: 'string', default: '2000' },
      'roster-share': { type: 'string' },
      mix: { type: 'string', default: 'realistic' },
      'resend-share': { type: 'string', default: '0.02' },
      'malformed-share': { type: 'string', default: '0.01' },
      facilities: { type: 'string' },
      connections: { type: 'string', default: '4' },
      seed: { type: 'string', default: '42' },
      'load-roster': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const named = values.mix.includes('=') ? undefined : feedMix(values.mix);
  const options: FeedOptions = {
    host: values.host,
    port: Number(values.port),
    rate: Number(values.rate),
    durationSeconds: Number(values.duration),
    patients: Number(values.patients),
    rosterShare: Number(values['roster-share'] ?? named?.attributedShare ?? 0.3),
    mix: named ? { ...named.events } : parseMix(values.mix),
    plausibleEncounters: named?.plausibleEncounters ?? true,
    censusShare: named?.censusShare ?? 0.3,
    resendShare: Number(values['resend-share']),
    malformedShare: Number(values['malformed-share']),
    facilities: values.facilities
      ? values.facilities.split(',').map((entry) => {
          const [id, timeZone, style] = entry.split(':');
          return { id, timeZone, sendsOffsets: style !== 'local' };
        })
      : DEFAULT_FACILITIES,
    connections: Number(values.connections),
    seed: Number(values.seed),
    runTag: `F${Date.now().toString(36)}`,
  };
  const patients = feedPatients(options);
  if (named) {
    console.log(describeFeedMix({ ...named, attributedShare: options.rosterShare }, options.facilities));
  }
  if (values['load-roster']) {
    const token = signDevelopmentToken(process.env.AUTH_JWT_SECRET ?? DEVELOPMENT_JWT_SECRET, { sub: 'synthetic-feed', roles: ['integration'] });
    const rows = rosterRows(patients, 'team-synthetic');
    const response = await fetch(`${values['load-roster']}/v1/roster/patients`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ patients: rows }),
    });
    console.log(`roster: ${response.status} ${JSON.stringify(await response.json())}`);
  }
  const total = Math.round(options.rate * options.durationSeconds);
  console.log(`feed: ${total} messages at ${options.rate}/s over ${options.connections} connection(s) to ${options.host}:${options.port}, ${options.facilities.length} facilities`);
  const summary = await runFeed(options, patients, (progress) => {
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${bar(progress.sent / total)} ${progress.sent}/${total} ${progress.elapsedSeconds.toFixed(0)}s ACKs ${JSON.stringify(progress.acks)}   `);
    }
  });
  if (process.stderr.isTTY) {
    process.stderr.write('\n');
  }
  console.log(`sent ${summary.sent} in ${summary.elapsedSeconds.toFixed(1)} s (${summary.messagesPerSecond.toFixed(0)} msg/s)`);
  console.log(`ACK codes: ${JSON.stringify(summary.acks)}`);
  console.log(`ACK latency ms: p50 ${summary.latencyMs.p50.toFixed(1)}  p95 ${summary.latencyMs.p95.toFixed(1)}  p99 ${summary.latencyMs.p99.toFixed(1)}  max ${summary.latencyMs.max.toFixed(1)}`);
  console.log(`events: ${JSON.stringify(summary.byTrigger)}; resends ${summary.resends}; malformed ${summary.malformed}; rostered discharges ${summary.rosteredDischarges}`);
}

main().catch((error: unknown) => {
  console.error(`feed failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
