import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findRepoRoot } from '../stack/process';
import { KAFKA_TOPICS_FILE, renderKafkaTopicsYaml } from './kafka-topics';

const USAGE = `usage: npm run deploy:topics [-- --check]
  Writes ${KAFKA_TOPICS_FILE} (Strimzi KafkaTopic resources) from the topic catalogue.
  --check   write nothing; exit 1 when the file differs from the catalogue (for CI)`;

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function main(): number {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const file = path.join(findRepoRoot(), KAFKA_TOPICS_FILE);
  const rendered = renderKafkaTopicsYaml();
  const current = readIfExists(file);
  if (values.check) {
    if (current !== rendered) {
      console.error(`${KAFKA_TOPICS_FILE} is out of date with libs/contracts/src/topics.ts: run npm run deploy:topics`);
      return 1;
    }
    console.log(`${KAFKA_TOPICS_FILE} matches the topic catalogue`);
    return 0;
  }
  if (current === rendered) {
    console.log(`${KAFKA_TOPICS_FILE} already matches the topic catalogue`);
    return 0;
  }
  writeFileSync(file, rendered);
  console.log(`wrote ${KAFKA_TOPICS_FILE}`);
  return 0;
}

process.exitCode = main();
