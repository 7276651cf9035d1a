import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestPki, type TestPki } from '@sc/testing';
import { ackingHandler, ackSummary, hl7Message } from './__fixtures__/mllp-test-kit';
import { MllpClient } from './client';
import { MllpServer, type MllpErrorContext, type MllpFrameMeta } from './server';

describe(`${MllpServer.name} over mutual TLS`, () => {
  let dir: string;
  let pki: TestPki;
  let server: MllpServer;
  const metas: MllpFrameMeta[] = [];
  const errors: MllpErrorContext[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mllp-tls-'));
    pki = createTestPki(dir, 'Test MLLP CA');
    server = new MllpServer(
      async (frame, meta) => {
        metas.push(meta);
        return ackingHandler(frame, meta);
      },
      { port: 0, tls: { ...pki.server, ca: pki.ca, requestCert: true, rejectUnauthorized: true }, onError: (_error, context) => errors.push(context) },
    );
    await server.listen();
  });

  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('acknowledges a client with a certificate from the trusted CA and tells the handler who it is', async () => {
    const client = await MllpClient.connect({ port: server.port, tls: { ca: pki.ca, ...pki.client } });

    const ack = await client.send(hl7Message('TLS1'));
    await client.close();

    expect(ackSummary(ack).controlId).toBe('TLS1');
    expect(metas[0].peerCertificateFingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('refuses a client without a certificate before any frame reaches the handler', async () => {
    const handled = metas.length;

    const attempt = MllpClient.connect({ port: server.port, tls: { ca: pki.ca }, responseTimeoutMs: 2_000 }).then((client) => client.send(hl7Message('NOCERT')));

    await expect(attempt).rejects.toThrow();
    expect(metas).toHaveLength(handled);
    expect(errors.some((context) => context.phase === 'tls-handshake')).toBe(true);
  });
});
