import { parseArgs } from 'node:util';
import { createKafka, replayDeadLetters } from '@sc/messaging';

const HELP = `Replays dead-lettered events to their original topic once the cause is fixed.

usage: npm run dlt:replay -- --topic care.encounters.v1.dlt [--group pharmacy-alert] [--error-code CODE] [--dry-run]
  --brokers 127.0.0.1:9092   (default: KAFKA_BROKERS)
Consumers are idempotent (inbox by event id), so replaying an event a group already handled is harmless.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      topic: { type: 'string' },
      group: { type: 'string' },
      'error-code': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.topic) {
    console.log(HELP);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const kafka = createKafka({ brokers: values.brokers.split(','), clientId: 'dlt-replay' });
  const summary = await replayDeadLetters(kafka, {
    deadLetterTopic: values.topic,
    group: values.group,
    errorCode: values['error-code'],
    dryRun: values['dry-run'],
    readerGroup: `dlt-replay.${values.topic}.${values.group ?? 'all'}`,
  });
  console.log(`${values['dry-run'] ? 'would replay' : 'replayed'} ${summary.replayed} of ${summary.read} letters (skipped ${summary.skipped}); by error code: ${JSON.stringify(summary.byErrorCode)}`);
}

main().catch((error: unknown) => {
  console.error(`dlt replay failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
