import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEVELOPMENT_JWT_SECRET } from '@sc/config';
import { TopicNames } from '@sc/contracts';
import { signDevelopmentToken, type Role } from '@sc/security';
import { createKafka } from '@sc/messaging';
import { MllpClient } from '@sc/mllp';
import { SseClient, eventually } from '@sc/testing';
import { MLLP_PORT, ensureInfrastructure, ensureServices, serviceUrl, stopKafka, stopServices } from '../stack';
import { findRepoRoot } from '../stack/process';

const PHARMACIST = 'pharm-ana';
const TEAM = 'team-specialty-cardio-ra';
const started = Date.now();
let ackAt: number | undefined;

function line(label: string, detail: string): void {
  const elapsed = ackAt === undefined ? `+${((Date.now() - started) / 1000).toFixed(1)}s` : `ACK+${Date.now() - ackAt}ms`;
  console.log(`${new Date().toISOString()}  ${elapsed.padStart(10)}  ${label.padEnd(22)} ${detail}`);
}

/** The story's discharge (shared/fixtures/hl7), with a control id and visit number unique to this run so the demo can be repeated. */
function storyDischarge(runTag: string): string {
  const fixture = path.join(findRepoRoot(), '..', 'shared', 'fixtures', 'hl7', 'jason-a03-discharge.hl7');
  const local = path.join(findRepoRoot(), 'libs', 'hl7', 'src', '__fixtures__', 'jason-a03-discharge.hl7');
  let text: string;
  try {
    text = readFileSync(fixture, 'utf8');
  } catch {
    text = readFileSync(local, 'utf8');
  }
  return text.replace('|LGH000177|', `|LGH000177-${runTag}|`).replace('|LGH-V99001|', `|LGH-V99001-${runTag}|`);
}

/** Local tokens are signed with the development secret the services accept outside production. */
const bearer = (sub: string, roles: Role[], teams: string[] = [TEAM]): { Authorization: string } => ({
  Authorization: `Bearer ${signDevelopmentToken(process.env.AUTH_JWT_SECRET ?? DEVELOPMENT_JWT_SECRET, { sub, roles, teams })}`,
});

async function loadRoster(): Promise<void> {
  const response = await fetch(serviceUrl('pharmacy-alert', '/v1/roster/patients'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...bearer('roster-feed', ['integration']) },
    body: JSON.stringify({
      patients: [
        {
          pharmacyPatientId: 'SP-100234',
          familyName: 'RIVERA',
          givenName: 'JASON',
          birthDate: '1968-04-12',
          sex: 'M',
          preferredLanguage: 'en',
          pharmacistId: PHARMACIST,
          teamId: TEAM,
          identifiers: [
            { authority: 'LGH', value: '00482913', type: 'MR' },
            { authority: 'NSHP', value: 'NSH778812345', type: 'MB' },
          ],
          therapies: [{ drugSystem: 'RXNORM', drugCode: '327361', drugName: 'adalimumab', conditionCode: 'M06.9' }],
        },
      ],
    }),
  });
  const result = (await response.json()) as { accepted: number };
  line('roster loaded', `${result.accepted} specialty patient(s); assigned pharmacist ${PHARMACIST}`);
}

async function main(): Promise<void> {
  const keep = process.argv.includes('--keep');
  console.log('Synchronized Care demo: a hospital discharge reaches the specialty pharmacist\n');
  const infrastructure = await ensureInfrastructure();
  line('infrastructure', `Kafka ${infrastructure.kafka.brokers.join(',')}, PostgreSQL, Redis ready`);
  const startedServices = await ensureServices();
  line('services', `5 services healthy${startedServices.length > 0 ? ` (started ${startedServices.length})` : ' (already running)'}`);

  await loadRoster();
  const feed = await SseClient.open(serviceUrl('notifier', `/v1/streams/users/${PHARMACIST}`), bearer(PHARMACIST, ['pharmacist']));
  line('pharmacist feed open', `SSE ${serviceUrl('notifier', `/v1/streams/users/${PHARMACIST}`)}`);

  const runTag = Date.now().toString(36);
  const kafka = createKafka({ brokers: infrastructure.kafka.brokers, clientId: 'demo' });
  const consumer = kafka.consumer({ groupId: `demo-${runTag}` });
  const seen: Array<{ type: string; key: string; occurredAt: string }> = [];
  await consumer.connect();
  await consumer.subscribe({ topic: new TopicNames().of('encounters'), fromBeginning: false });
  let assigned = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    assigned = true;
  });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value?.toString() ?? '{}') as { type: string; occurredAt: string; data: { messageControlId?: string } };
      if (event.data.messageControlId?.endsWith(runTag)) {
        seen.push({ type: event.type, key: message.key?.toString() ?? '', occurredAt: event.occurredAt });
      }
    },
  });
  await eventually(async () => (assigned ? true : undefined), 30_000);

  const client = new MllpClient({ host: '127.0.0.1', port: Number(process.env.MLLP_PORT ?? MLLP_PORT) });
  await client.connect();
  line('hospital sends', 'ADT^A03 discharge over MLLP (discharged 2026-11-20 14:25 -06:00)');
  const ack = await client.send(storyDischarge(runTag));
  ackAt = Date.now();
  const msa = ack.split('\r').find((segment) => segment.startsWith('MSA')) ?? '';
  line('hospital receives ACK', msa);
  await client.close();

  const event = await eventually(async () => seen[0], 15_000);
  line('Kafka event', `${event.type} key=${event.key} occurredAt=${event.occurredAt}`);

  const task = await eventually(async () => {
    const response = await fetch(serviceUrl('pharmacy-alert', `/v1/tasks?assigneeId=${PHARMACIST}&status=open`), { headers: bearer(PHARMACIST, ['pharmacist']) });
    const tasks = (await response.json()) as Array<{ id: string; kind: string; dueAt: string; priority: string; correlationId: string }>;
    return tasks.find((candidate) => candidate.correlationId.endsWith(runTag));
  }, 15_000);
  line('pharmacist task', `${task.kind} priority=${task.priority} due=${task.dueAt} (discharge + 24 h)`);

  const notification = await feed.waitFor((received) => received.data.includes(task.id), 15_000);
  const payload = JSON.parse(notification.data) as { title: string; urgency: string; link: string };
  line('pharmacist feed', `"${payload.title}" urgency=${payload.urgency} link=${payload.link}`);
  feed.close();
  await consumer.disconnect();

  console.log(`\nSummary: ACK ${msa.split('|')[1]}; event published; task due ${task.dueAt}; pharmacist notified ${notification.receivedAt - (ackAt ?? 0)} ms after the ACK.`);
  if (keep) {
    console.log('\n--keep: everything is still running. APIs: ' + ['adt-ingest', 'pharmacy-alert', 'notifier'].map((name) => serviceUrl(name as 'notifier', '/docs')).join('  '));
    console.log('Stop it all with: npm run down');
    return;
  }
  await stopServices(startedServices);
  if (infrastructure.kafka.startedHere) {
    await stopKafka();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
