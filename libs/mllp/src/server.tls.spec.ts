import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ackingHandler, ackSummary, hl7Message } from './__fixtures__/mllp-test-kit';
import { MllpClient } from './client';
import { MllpServer, type MllpErrorContext, type MllpFrameMeta } from './server';

interface Pki {
  readonly ca: Buffer;
  readonly server: { key: Buffer; cert: Buffer };
  readonly client: { key: Buffer; cert: Buffer };
}

/** A throwaway CA with a server and a client certificate, valid for one day. */
function createPki(dir: string): Pki {
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=Test MLLP CA');
  const issue = (name: string, extensions: string): void => {
    writeFileSync(path.join(dir, `${name}.ext`), extensions);
    openssl('req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`);
  };
  issue('server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  issue('client', 'extendedKeyUsage=clientAuth\n');
  const read = (file: string): Buffer => readFileSync(path.join(dir, file));
  return {
    ca: read('ca.crt'),
    server: { key: read('server.key'), cert: read('server.crt') },
    client: { key: read('client.key'), cert: read('client.crt') },
  };
}

// Needs the openssl command (Debian's base image has it); without it this fails rather than skips.
describe(`${MllpServer.name} over mutual TLS`, () => {
  let dir: string;
  let pki: Pki;
  let server: MllpServer;
  const metas: MllpFrameMeta[] = [];
  const errors: MllpErrorContext[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mllp-tls-'));
    pki = createPki(dir);
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
