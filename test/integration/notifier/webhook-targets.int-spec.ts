import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookTargetPolicy, addressClass, postWebhook } from '../../../apps/notifier/src/channels/webhook/webhook-target';

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; port: number; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((request, response) => {
    hits.push(request.url ?? '');
    handler?.(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

describe(WebhookTargetPolicy.name, () => {
  const strict = new WebhookTargetPolicy('', false);

  it.each([
    ['loopback', 'http://127.0.0.1:3001/v1/tasks'],
    ['loopback (IPv6)', 'http://[::1]:3001/'],
    ['loopback (IPv4-mapped IPv6)', 'http://[::ffff:127.0.0.1]/'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['link-local', 'http://169.254.10.1/'],
    ['private', 'http://10.1.2.3/'],
    ['private', 'http://172.20.0.1/'],
    ['private', 'http://192.168.1.1/'],
    ['private (IPv6 ULA)', 'http://[fd12::1]/'],
    ['multicast', 'http://224.0.0.1/'],
    ['unspecified', 'http://0.0.0.0:6379/'],
    ['a name resolving to loopback', 'http://localhost:6379/'],
  ])('refuses a %s target when it is registered', async (_class, url) => {
    await expect(strict.checkUrl(url)).rejects.toThrow(/address/);
  });

  it('classifies public addresses as allowed', () => {
    expect(addressClass('93.184.216.34')).toBeUndefined();
    expect(addressClass('2606:2800:220:1::1')).toBeUndefined();
  });

  it('lets an operator allow-list name an internal address', async () => {
    await expect(new WebhookTargetPolicy('127.0.0.1,::1', false).checkUrl('http://127.0.0.1:9/')).resolves.toBeUndefined();
    await expect(new WebhookTargetPolicy('10.0.0.0/8', false).checkUrl('http://10.9.9.9/')).resolves.toBeUndefined();
  });

  it('requires https when asked to (always in production)', async () => {
    await expect(new WebhookTargetPolicy('', true).checkUrl('http://93.184.216.34/')).rejects.toThrow(/https/);
  });

  it('checks the address actually connected to, so a name that now resolves inside is refused at send time (DNS rebinding)', async () => {
    const { server, port, hits } = await listen((_request, response) => response.end('ok'));
    try {
      // localhost stands for a name that resolved to a public address when it was registered.
      await expect(postWebhook(strict, `http://localhost:${port}/hook`, {}, '{}', 2000)).rejects.toMatchObject({ code: 'EWEBHOOKTARGET' });
      expect(hits).toEqual([]);
      await expect(postWebhook(new WebhookTargetPolicy('127.0.0.1,::1', false), `http://localhost:${port}/hook`, {}, '{}', 2000)).resolves.toBe(200);
      expect(hits).toEqual(['/hook']);
    } finally {
      server.close();
    }
  });

  it('does not follow a redirect', async () => {
    const target = await listen((_request, response) => response.end('ok'));
    const redirecting = await listen((_request, response) => {
      response.writeHead(302, { Location: `http://127.0.0.1:${target.port}/elsewhere` });
      response.end();
    });
    try {
      const allowLocal = new WebhookTargetPolicy('127.0.0.1', false);
      await expect(postWebhook(allowLocal, `http://127.0.0.1:${redirecting.port}/hook`, {}, '{}', 2000)).resolves.toBe(302);
      expect(target.hits).toEqual([]);
    } finally {
      target.server.close();
      redirecting.server.close();
    }
  });
});
