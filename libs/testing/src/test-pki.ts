import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface TestPki {
  readonly ca: Buffer;
  readonly server: { key: Buffer; cert: Buffer };
  readonly client: { key: Buffer; cert: Buffer };
  /** The folder holding ca.crt, server.key/.crt and client.key/.crt. */
  readonly dir: string;
}

/**
 * A throwaway CA with a server certificate for 127.0.0.1 and a client certificate, valid for one
 * day, made with the openssl command (Debian's base image has it; without it this throws rather
 * than letting a TLS test skip).
 */
export function createTestPki(dir: string, caName = 'Test CA'): TestPki {
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', `/CN=${caName}`);
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
    dir,
  };
}
