import { MllpClient } from '@sc/mllp';
import { SseClient, SystemUnderTest, eventually, syntheticAdt } from '@sc/testing';
import { loadRoster, tasksFor } from './roster';

const msaOf = (ack: string): string[] => (ack.split('\r').find((segment) => segment.startsWith('MSA|')) ?? '').split('|');

describe('a discharge travels from MLLP to the pharmacist', () => {
  let system: SystemUnderTest;
  let mllp: MllpClient;
  const pharmacist = () => system.authorization('pharm-ana', ['pharmacist'], ['team-e2e']);

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['adt-ingest', 'pharmacy-alert', 'notifier'] });
    await loadRoster(system.service('pharmacy-alert').url(''), [{ pharmacyPatientId: 'SP-1', mrn: '00482913', pharmacistId: 'pharm-ana' }], system.authorization('roster-feed', ['integration']));
    mllp = new MllpClient({ host: '127.0.0.1', port: system.mllpPort });
    await mllp.connect();
  }, 120_000);

  afterAll(async () => {
    await mllp?.close();
    await system?.stop();
  }, 60_000);

  it('acknowledges the A03, creates a task due 24 h after clinical discharge, and pushes it to the pharmacist SSE feed', async () => {
    const feed = await SseClient.open(system.service('notifier').url('/v1/streams/users/pharm-ana'), pharmacist());
    try {
      const ack = await mllp.send(
        syntheticAdt({ trigger: 'A03', controlId: 'E2E-1', mrn: '00482913', visitNumber: 'V-E2E-1', clinicalTime: '20261120142500-0600', ssn: '123-45-6789' }),
      );
      expect(msaOf(ack).slice(1, 3)).toEqual(['AA', 'E2E-1']);

      const notification = await feed.waitFor((event) => event.event === 'notification', 20_000);
      const item = JSON.parse(notification.data) as { title: string; urgency: string; dueAt: string; link: string; itemId: string };
      expect(item.dueAt).toBe('2026-11-21T20:25:00.000Z');
      expect(item.link).toBe(`/v1/tasks/${item.itemId}`);
      expect(notification.data).not.toContain('I25');

      const [task] = await tasksFor(system.service('pharmacy-alert').url(''), 'pharm-ana', pharmacist());
      expect(task).toMatchObject({ id: item.itemId, kind: 'discharge-call', status: 'open', dischargedAt: '2026-11-20T20:25:00.000Z', dueAt: '2026-11-21T20:25:00.000Z' });
    } finally {
      feed.close();
    }
  }, 60_000);

  it('answers a resend with the original ACK and creates no second task', async () => {
    const message = syntheticAdt({ trigger: 'A03', controlId: 'E2E-2', mrn: '00482913', visitNumber: 'V-E2E-2' });
    const first = await mllp.send(message);
    const second = await mllp.send(message);
    expect(second).toBe(first);
    const pharmacyAlert = system.service('pharmacy-alert').url('');
    await eventually(async () => ((await tasksFor(pharmacyAlert, 'pharm-ana', pharmacist())).some((task) => task.correlationId === 'enc:LGH:V-E2E-2') ? true : undefined));
    // Give a duplicate event time to arrive if one had been published.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const episodes = (await tasksFor(pharmacyAlert, 'pharm-ana', pharmacist())).filter((task) => task.correlationId === 'enc:LGH:V-E2E-2');
    expect(episodes).toHaveLength(1);
  }, 60_000);

  it('answers a frame that is not HL7 with AR and keeps the connection usable', async () => {
    const nak = await mllp.send('this is not an HL7 message');
    expect(msaOf(nak)[1]).toBe('AR');
    expect(nak).toMatch(/\rERR\|/);
    const ack = await mllp.send(syntheticAdt({ trigger: 'A01', controlId: 'E2E-3', mrn: '00482913', visitNumber: 'V-E2E-3' }));
    expect(msaOf(ack)[1]).toBe('AA');
  }, 30_000);
});
