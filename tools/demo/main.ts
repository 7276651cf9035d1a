import { DEVELOPMENT_JWT_SECRET } from '@sc/config';
import { TopicNames } from '@sc/contracts';
import { createKafka } from '@sc/messaging';
import { signDevelopmentToken } from '@sc/security';
import { SseClient, eventually } from '@sc/testing';
import { MLLP_PORT, ensureInfrastructure, ensureServices, serviceUrl, stopKafka, stopServices } from '../stack';
import { NURSE, NURSING_TEAM, StoryDriver, StoryMessages, jasonRosterRow, type Referral, type Task } from '../story/story-driver';

let clockStart: number | undefined;
const started = Date.now();

/** Times relative to the clinical discharge (T), once it happened; before that, since the demo began. */
function stamp(): string {
  if (clockStart === undefined) {
    return `   +${((Date.now() - started) / 1000).toFixed(1)}s`.padStart(12);
  }
  const ms = Date.now() - clockStart;
  return `T+${(ms / 1000).toFixed(2)}s`.padStart(12);
}

function say(who: string, what: string): void {
  console.log(`${stamp()}  ${who.padEnd(24)} ${what}`);
}

const MSA = (ack: string): string => ack.split('\r').find((segment) => segment.startsWith('MSA')) ?? '';

async function main(): Promise<void> {
  let keep = process.argv.includes('--keep');
  console.log('Synchronized Care: the hospital discharges a specialty-pharmacy patient, and every team acts in time.\n');
  const infrastructure = await ensureInfrastructure();
  say('infrastructure', `Kafka ${infrastructure.kafka.brokers.join(',')}, PostgreSQL and Redis ready`);
  const startedServices = await ensureServices();
  say('services', `adt-ingest, pharmacy-alert, care-gap, referral, notifier healthy${startedServices.length > 0 ? ` (started ${startedServices.length})` : ''}`);

  try {
    const secret = process.env.AUTH_JWT_SECRET ?? DEVELOPMENT_JWT_SECRET;
    const story = new StoryDriver({
      url: (service, pathname) => serviceUrl(service, pathname),
      mllpPort: Number(process.env.MLLP_PORT ?? MLLP_PORT),
      authorization: (sub, roles, teams = []) => ({ Authorization: `Bearer ${signDevelopmentToken(secret, { sub, roles, teams })}` }),
    });
    // A fresh record number per run, so each run tells the story from the start on a clean timeline.
    const runTag = Date.now().toString(36);
    const mrn = `J${runTag.toUpperCase()}`;
    await story.setUp([{ ...jasonRosterRow(), pharmacyPatientId: `SP-${runTag}`, identifiers: [{ authority: 'LGH', value: mrn, type: 'MR' }] }]);
    say('set-up', 'roster: Jason R. (adalimumab for RA, coronary disease), pharmacist pharm-ana; plan NSHP-GOLD covers A4670; nurse rn-rosa');
    const messages = new StoryMessages(runTag);
    const pharmacistFeed = await story.openPharmacistFeed();
    const nurseFeed = await SseClient.open(serviceUrl('notifier', `/v1/streams/teams/${NURSING_TEAM}`), story.nurse());
    const kafka = createKafka({ brokers: infrastructure.kafka.brokers, clientId: 'demo' });
    const consumer = kafka.consumer({ groupId: `demo-${runTag}`, maxWaitTimeInMs: 100 });
    const kafkaEvents: Array<{ type: string; key: string; at: number }> = [];
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
    });
    await consumer.connect();
    await consumer.subscribe({ topic: new TopicNames().of('encounters'), fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const event = JSON.parse(message.value?.toString() ?? '{}') as { type: string; correlationId: string };
        if (event.correlationId === messages.episode) {
          kafkaEvents.push({ type: event.type, key: message.key?.toString() ?? '', at: Date.now() });
        }
      },
    });
    await eventually(async () => (joined ? true : undefined), 30_000);

    console.log('\n--- in the hospital ---');
    const admission = await story.sendHl7(messages.admission(new Date(Date.now() - 3 * 86_400_000), { mrn }));
    say('hospital (MLLP)', `ADT^A01 admission, three days ago -> ${MSA(admission.ack)}`);
    const alert = await story.task(messages.episode, 'admission-alert');
    const holds = await story.call<Array<{ status: string }>>('pharmacy-alert', 'GET', `/v1/patients/${alert.patientId}/refill-holds`, story.pharmacist());
    say('pharmacy-alert', `admission alert for pharm-ana; refill hold ${holds.map((hold) => hold.status).join(', ')} (no shipments while inpatient)`);

    console.log('\n--- discharge (T) ---');
    const dischargedAt = new Date();
    clockStart = dischargedAt.getTime();
    const discharge = await story.sendHl7(messages.discharge(dischargedAt, { mrn }));
    say('hospital (MLLP)', `ADT^A03 discharge -> ${MSA(discharge.ack)} (stored and committed before this answer)`);
    const published = await eventually(async () => kafkaEvents.find((event) => event.type === 'encounter.discharged'), 15_000);
    say('Kafka', `${published.type}, key ${published.key} (pseudonymous patient reference)`);
    const task: Task = await story.task(messages.episode, 'discharge-call');
    say('pharmacy-alert', `task ${task.kind}, priority ${task.priority}, due ${task.dueAt} (discharge + 24 h)`);
    const told = await story.notificationFor(pharmacistFeed, task.id);
    const toldPayload = JSON.parse(told.data) as { title: string; urgency: string };
    say('pharm-ana (live feed)', `"${toldPayload.title}" [${toldPayload.urgency}] ${told.receivedAt - discharge.ackAt} ms after the ACK`);

    console.log('\n--- the pharmacist ---');
    const pharmacist = story.pharmacist();
    await story.call('pharmacy-alert', 'POST', `/v1/tasks/${task.id}/acknowledge`, pharmacist, {});
    await story.call('pharmacy-alert', 'POST', `/v1/tasks/${task.id}/contact-attempts`, pharmacist, { outcome: 'reached' });
    say('pharm-ana', 'acknowledged; called Jason: reached');
    await story.call('pharmacy-alert', 'PUT', `/v1/tasks/${task.id}/medication-reconciliation`, pharmacist, {
      homeMedications: [{ system: 'RXNORM', code: '327361' }],
      startedInHospital: [{ system: 'RXNORM', code: '197361' }, { system: 'RXNORM', code: '83367' }],
      stopped: [],
      changed: [],
      discrepancies: [{ medication: { system: 'RXNORM', code: '83367' }, kind: 'interaction' }],
    });
    say('pharm-ana', 'medication reconciliation: 1 home, 2 started in hospital, 1 interaction to resolve');
    await story.call('pharmacy-alert', 'POST', `/v1/tasks/${task.id}/needs`, pharmacist, { need: 'missing-home-device', codeSystem: 'HCPCS', code: 'A4670' });
    await story.call('pharmacy-alert', 'POST', `/v1/tasks/${task.id}/needs`, pharmacist, { need: 'diet-or-wellness' });
    await story.call('pharmacy-alert', 'POST', `/v1/tasks/${task.id}/needs`, pharmacist, { need: 'specialist-symptoms', codeSystem: 'ICD10', code: 'M06.9' });
    say('pharm-ana', 'flagged: no home BP monitor (A4670), poor diet, RA flaring (M06.9)');

    console.log('\n--- care gaps and nurses ---');
    const gap = await eventually(async () => (await story.gaps(task.subject)).find((candidate) => candidate.item.code === 'A4670' && candidate.status === 'open'), 20_000);
    say('care-gap', `gap ${gap.gapType}: ${gap.item.system} ${gap.item.code}, plan coverage ${gap.coverage.determination}`);
    const referrals: Referral[] = await eventually(async () => {
      const found = await story.referrals(messages.episode);
      return ['dme-order', 'wellness-program', 'specialist-briefing'].every((type) => found.some((referral) => referral.type === type)) ? found : undefined;
    }, 30_000);
    say('referral', `queued for nurses: ${referrals.map((referral) => referral.type).join(', ')}`);
    for (const referral of referrals) {
      await story.workReferral(referral);
      say(NURSE, `${referral.type}: ${referral.type === 'specialist-briefing' ? 'briefing with the medication history sent; the rheumatologist acknowledged' : referral.type === 'dme-order' ? 'monitor ordered and delivered' : 'enrolled in the program'}`);
    }
    for (const to of ['coverage-verified', 'ordered', 'delivered', 'closed']) {
      await story.call('care-gap', 'POST', `/v1/gaps/${gap.id}/transitions`, story.nurse(), { to, reason: `BP monitor ${to}` });
    }
    say(NURSE, 'care gap closed: the monitor is at home');
    const completed = await story.call<Task>('pharmacy-alert', 'POST', `/v1/tasks/${task.id}/complete`, pharmacist, { outcome: 'reconciled' });
    const spare = new Date(task.dueAt).getTime() - new Date(completed.completedAt ?? Date.now()).getTime();
    say('pharm-ana', `follow-up completed, ${(spare / 3_600_000).toFixed(1)} h before the 24-hour deadline`);

    console.log('\n--- the shared timeline (same for pharmacist and nurse) ---');
    const timeline = await eventually(async () => {
      const entries = await story.timeline(task.patientId, story.nurse());
      return entries.some((entry) => entry.kind === 'care-gap.closed') ? entries : undefined;
    }, 20_000);
    for (const entry of timeline) {
      const offset = (new Date(entry.occurredAt).getTime() - dischargedAt.getTime()) / 1000;
      const when = Math.abs(offset) > 3600 ? `T${offset < 0 ? '-' : '+'}${Math.round(Math.abs(offset) / 3600)}h` : `T${offset < 0 ? '-' : '+'}${Math.abs(offset).toFixed(2)}s`;
      console.log(`${when.padStart(12)}  ${entry.team.padEnd(10)} ${entry.actorId.padEnd(16)} ${entry.summary}`);
    }

    const nurseNotices = nurseFeed.events.length;
    console.log(
      `\nSummary: discharge ACKed ${MSA(discharge.ack).split('|')[1]}; pharmacist notified ${told.receivedAt - discharge.ackAt} ms after the ACK; ` +
        `${referrals.length} nurse referrals completed; nurses received ${nurseNotices} notification(s) on their team feed; ` +
        `${timeline.length} timeline entries from ${new Set(timeline.map((entry) => entry.team)).size} teams; everything done inside the 24-hour window.`,
    );
    story.close();
    nurseFeed.close();
    await consumer.disconnect();
    if (keep) {
      console.log(`\n--keep: everything is still running. OpenAPI: ${['adt-ingest', 'pharmacy-alert', 'care-gap', 'referral', 'notifier'].map((name) => serviceUrl(name as 'notifier', '/docs')).join('  ')}`);
      console.log('A token to explore them: npm run -s token -- --sub pharm-ana --roles pharmacist --teams team-specialty');
      console.log('Stop it all with: npm run down');
      return;
    }
  } catch (error) {
    keep = false;
    throw error;
  } finally {
    // What the demo started, it stops, also when the story fails (unless asked to keep it running).
    if (!keep) {
      await stopServices(startedServices);
      if (infrastructure.kafka.startedHere) {
        await stopKafka();
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

