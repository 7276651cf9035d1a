import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MllpClient, encodeMllpFrame } from '@sc/mllp';
import { SystemUnderTest, createTestPki } from '@sc/testing';
import { adt } from '../../apps/adt-ingest/src/__fixtures__/adt-builder';
import { RawMllpPeer } from '../../libs/mllp/src/__fixtures__/mllp-test-kit';
import { ackOf, postHl7, startIngest } from '../integration/ingest/support/ingest-harness';

const message = (controlId: string): string => adt({ trigger: 'A08', controlId, visit: `V-${controlId}` });

describe('adt-ingest over MLLP', () => {
  describe('plain TCP on every interface, 1 s idle timeout, 64 KiB frames', () => {
    let system: SystemUnderTest;

    beforeAll(async () => {
      system = await startIngest({ MLLP_HOST: '0.0.0.0', MLLP_IDLE_TIMEOUT_MS: '1000', MLLP_MAX_FRAME_BYTES: String(64 * 1024) });
    }, 120_000);

    afterAll(async () => {
      await system?.stop();
    }, 60_000);

    it('answers a frame that arrives in many small pieces', async () => {
      const peer = await RawMllpPeer.connect(system.mllpPort);
      const frame = encodeMllpFrame(message('SPLIT-1'));
      const pieces = Array.from({ length: Math.ceil(frame.length / 7) }, (_, index) => frame.subarray(index * 7, index * 7 + 7));

      await peer.write(...pieces);
      await peer.waitForReplies(1);

      expect(ackOf(peer.replies[0])).toMatchObject({ code: 'AA', controlId: 'SPLIT-1' });
      peer.destroy();
    });

    it('answers frames coalesced into one write, in order, ignoring bytes between frames', async () => {
      const peer = await RawMllpPeer.connect(system.mllpPort);
      const ids = ['CO-1', 'CO-2', 'CO-3', 'CO-4', 'CO-5'];

      await peer.write(Buffer.concat(ids.flatMap((id) => [encodeMllpFrame(message(id)), Buffer.from('\r\n')])));
      await peer.waitForReplies(ids.length);

      expect(peer.replies.map((reply) => ackOf(reply).controlId)).toEqual(ids);
      peer.destroy();
    });

    it('serves many connections at once', async () => {
      const clients = await Promise.all(Array.from({ length: 100 }, () => MllpClient.connect({ port: system.mllpPort, responseTimeoutMs: 20_000 })));
      try {
        const acks = await Promise.all(
          clients.map(async (client, index) => [await client.send(message(`MANY-${index}-a`)), await client.send(message(`MANY-${index}-b`))]),
        );
        expect(acks.flat().every((ack) => ackOf(ack).code === 'AA')).toBe(true);
      } finally {
        await Promise.all(clients.map((client) => client.close()));
      }
    }, 30_000);

    it('closes a connection idle for longer than the idle timeout, and not one that keeps sending', async () => {
      const idle = await RawMllpPeer.connect(system.mllpPort);
      const busy = await MllpClient.connect({ port: system.mllpPort });
      const started = Date.now();
      for (let index = 0; index < 5; index += 1) {
        await new Promise((resolve) => setTimeout(resolve, 400));
        expect(ackOf(await busy.send(message(`BUSY-${index}`))).code).toBe('AA');
      }

      await idle.closed;
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(busy.isConnected).toBe(true);
      await busy.close();
    });

    it('NAKs a frame over the maximum size naming its control id, closes that connection, and serves the next one', async () => {
      const peer = await RawMllpPeer.connect(system.mllpPort);
      const huge = message('HUGE-1').replace('TESTER^PAT', `TESTER^${'X'.repeat(70 * 1024)}`);

      await peer.write(encodeMllpFrame(huge));
      await peer.waitForReplies(1);
      await peer.closed;

      expect(ackOf(peer.replies[0])).toMatchObject({ code: 'AR', controlId: 'HUGE-1' });
      const next = await MllpClient.connect({ port: system.mllpPort });
      expect(ackOf(await next.send(message('AFTER-HUGE'))).code).toBe('AA');
      await next.close();
      expect((await postHl7(system, huge)).status).toBe(413);
    });

    it('listens on the configured address: here every interface, so also 127.0.0.2', async () => {
      const client = await MllpClient.connect({ host: '127.0.0.2', port: system.mllpPort });
      expect(ackOf(await client.send(message('BIND-ALL'))).code).toBe('AA');
      await client.close();
    });
  });

  describe('mutual TLS (certificate, key and CA from secret files), bound to 127.0.0.1', () => {
    let dir: string;
    let system: SystemUnderTest;
    const file = (name: string): Buffer => readFileSync(path.join(dir, name));

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'adt-ingest-tls-'));
      createTestPki(dir, 'Test Hospital Interface CA');
      system = await startIngest({
        MLLP_TLS_CERT_FILE: path.join(dir, 'server.crt'),
        MLLP_TLS_KEY_FILE: path.join(dir, 'server.key'),
        MLLP_TLS_CA_FILE: path.join(dir, 'ca.crt'),
        MLLP_TLS_REQUIRE_CLIENT_CERT: 'true',
      });
    }, 120_000);

    afterAll(async () => {
      await system?.stop();
      rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('acknowledges a sender that presents a certificate from the trusted CA', async () => {
      const client = await MllpClient.connect({ port: system.mllpPort, tls: { ca: file('ca.crt'), cert: file('client.crt'), key: file('client.key') } });

      expect(ackOf(await client.send(message('TLS-1')))).toMatchObject({ code: 'AA', controlId: 'TLS-1' });
      await client.close();
    });

    it('refuses a sender without a client certificate, and one speaking plain MLLP', async () => {
      const withoutCertificate = MllpClient.connect({ port: system.mllpPort, tls: { ca: file('ca.crt') }, responseTimeoutMs: 3_000 }).then((client) => client.send(message('TLS-2')));
      await expect(withoutCertificate).rejects.toThrow();

      const plain = await RawMllpPeer.connect(system.mllpPort);
      await plain.write(encodeMllpFrame(message('TLS-3')));
      await plain.closed;
      expect(plain.replies).toEqual([]);
    });

    it('is not reachable on other addresses (bound to 127.0.0.1 by default)', async () => {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = net.connect({ host: '127.0.0.2', port: system.mllpPort });
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    });
  });
});
