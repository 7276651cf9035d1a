import { parseHl7 } from '@sc/hl7';
import { ackingHandler, ackSummary, deferred, eventually, hl7Message, RawMllpPeer } from './__fixtures__/mllp-test-kit';
import { MllpClient } from './client';
import { MllpError, MllpErrorCode } from './errors';
import { encodeMllpFrame } from './framing';
import { MllpServer, type MllpHandler, type MllpServerOptions } from './server';

describe(MllpServer.name, () => {
  const servers: MllpServer[] = [];
  const clients: MllpClient[] = [];

  async function startServer(handler: MllpHandler = ackingHandler, options: MllpServerOptions = {}): Promise<MllpServer> {
    const server = new MllpServer(handler, { port: 0, ...options });
    servers.push(server);
    await server.listen();
    return server;
  }

  async function connect(server: MllpServer, responseTimeoutMs = 5_000): Promise<MllpClient> {
    const client = await MllpClient.connect({ port: server.port, responseTimeoutMs });
    clients.push(client);
    return client;
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('binds to 127.0.0.1 on a free port and acknowledges a message', async () => {
    const server = await startServer();
    const client = await connect(server);

    const ack = await client.send(hl7Message('M1'));

    expect(server.port).toBeGreaterThan(0);
    expect(ackSummary(ack)).toEqual({ code: 'AA', controlId: 'M1' });
    expect(server.stats).toMatchObject({ connections: 1, activeConnections: 1, frames: 1, handlerFailures: 0 });
  });

  it('answers pipelined frames in order, one handler call at a time', async () => {
    let running = 0;
    let maxRunning = 0;
    const server = await startServer(async (frame, meta) => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      // Later frames finish sooner, so answering out of order would show.
      const id = Number(parseHl7(frame.toString()).get('MSH-10')?.slice(1));
      await new Promise((resolve) => setTimeout(resolve, 20 - id * 2));
      running -= 1;
      return ackingHandler(frame, meta);
    });
    const client = await connect(server);

    const acks = await Promise.all(Array.from({ length: 8 }, (_, i) => client.send(hl7Message(`M${i}`))));

    expect(acks.map((ack) => ackSummary(ack).controlId)).toEqual(Array.from({ length: 8 }, (_, i) => `M${i}`));
    expect(maxRunning).toBe(1);
  });

  it('hands a pipelining sender’s frames to the handler concurrently up to the limit, starting and answering them in order', async () => {
    let running = 0;
    let maxRunning = 0;
    const started: string[] = [];
    const server = await startServer(
      async (frame, meta) => {
        started.push(parseHl7(frame.toString()).get('MSH-10') ?? '');
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        const id = Number(parseHl7(frame.toString()).get('MSH-10')?.slice(1));
        await new Promise((resolve) => setTimeout(resolve, 30 - id * 3));
        running -= 1;
        return ackingHandler(frame, meta);
      },
      { maxConcurrentFrames: 4 },
    );
    const client = await connect(server);
    const ids = Array.from({ length: 8 }, (_, i) => `M${i}`);

    const acks = await Promise.all(ids.map((id) => client.send(hl7Message(id))));

    expect(acks.map((ack) => ackSummary(ack).controlId)).toEqual(ids);
    expect(started).toEqual(ids);
    expect(maxRunning).toBe(4);
  });

  it('keeps answering in order when a sender pipelines more frames than it queues', async () => {
    const server = await startServer(ackingHandler, { maxQueuedFrames: 4 });
    const peer = await RawMllpPeer.connect(server.port);
    const ids = Array.from({ length: 60 }, (_, i) => `P${i}`);

    await peer.write(Buffer.concat(ids.map((id) => encodeMllpFrame(hl7Message(id)))));
    await peer.waitForReplies(ids.length);

    expect(peer.replies.map((reply) => ackSummary(reply).controlId)).toEqual(ids);
    peer.destroy();
  });

  it('answers a rejected handler with a NAK and keeps the connection', async () => {
    const errors: unknown[] = [];
    const server = await startServer(
      async (frame, meta) => {
        if (frame.toString().includes('|BOOM|')) {
          throw new Error('database down while reading PID for JOHN SMITH');
        }
        return ackingHandler(frame, meta);
      },
      { onError: (error) => errors.push(error) },
    );
    const client = await connect(server);

    const nak = await client.send(hl7Message('BOOM'));
    const ack = await client.send(hl7Message('AFTER'));

    expect(ackSummary(nak)).toEqual({ code: 'AR', controlId: 'BOOM' });
    expect(parseHl7(nak).get('ERR-3')).toBe('207');
    expect(nak).not.toContain('SMITH');
    expect(ackSummary(ack)).toEqual({ code: 'AA', controlId: 'AFTER' });
    expect(server.stats.handlerFailures).toBe(1);
    expect(errors).toHaveLength(1);
  });

  it('NAKs a frame that is not HL7 and keeps the connection', async () => {
    const server = await startServer();
    const peer = await RawMllpPeer.connect(server.port);

    await peer.write(encodeMllpFrame('this is not HL7'), encodeMllpFrame(hl7Message('M2')));
    await peer.waitForReplies(2);

    expect(peer.replies.map((reply) => ackSummary(reply))).toEqual([
      { code: 'AR', controlId: undefined },
      { code: 'AA', controlId: 'M2' },
    ]);
    peer.destroy();
  });

  it('ignores and counts bytes outside frames', async () => {
    const server = await startServer();
    const peer = await RawMllpPeer.connect(server.port);

    await peer.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'), encodeMllpFrame(hl7Message('M3')));
    await peer.waitForReplies(1);

    expect(ackSummary(peer.replies[0]).controlId).toBe('M3');
    expect(server.stats.bytesOutsideFrames).toBe(18);
    peer.destroy();
  });

  it('answers the frames before an oversized one, NAKs it naming its control id, and closes the connection', async () => {
    const server = await startServer(ackingHandler, { maxFrameBytes: 200 });
    const peer = await RawMllpPeer.connect(server.port);
    const oversized = `${hl7Message('BIG')}NTE|1||${'x'.repeat(500)}\r`;

    await peer.write(Buffer.concat([encodeMllpFrame(hl7Message('M4')), encodeMllpFrame(oversized), encodeMllpFrame(hl7Message('LOST'))]));
    await peer.closed;

    expect(peer.replies.map((reply) => ackSummary(reply))).toEqual([
      { code: 'AA', controlId: 'M4' },
      { code: 'AR', controlId: 'BIG' },
    ]);
    expect(parseHl7(peer.replies[1]).get('ERR-7')).toBe('the MLLP frame exceeds the maximum size');
    expect(server.stats.oversizeFrames).toBe(1);
  });

  it('closes a connection that stays idle', async () => {
    const server = await startServer(ackingHandler, { idleTimeoutMs: 50 });
    const peer = await RawMllpPeer.connect(server.port);

    await peer.closed;

    await eventually(() => expect(server.stats.activeConnections).toBe(0));
  });

  it('does not close an idle-looking connection while its frame is being handled', async () => {
    const release = deferred();
    const server = await startServer(
      async (frame, meta) => {
        await release.promise;
        return ackingHandler(frame, meta);
      },
      { idleTimeoutMs: 30 },
    );
    const client = await connect(server);

    const ack = client.send(hl7Message('SLOW'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    release.resolve();

    expect(ackSummary(await ack).controlId).toBe('SLOW');
  });

  it('refuses connections beyond maxConnections', async () => {
    const server = await startServer(ackingHandler, { maxConnections: 1 });
    await connect(server);
    const refused = await RawMllpPeer.connect(server.port);

    await refused.closed;

    await eventually(() => expect(server.stats).toMatchObject({ activeConnections: 1, rejectedConnections: 1 }));
  });

  it('finishes in-flight frames on close, then ends the connections and stops accepting', async () => {
    const started = deferred();
    const release = deferred();
    const server = await startServer(async (frame, meta) => {
      started.resolve();
      await release.promise;
      return ackingHandler(frame, meta);
    });
    const client = await connect(server);
    const port = server.port;

    const ack = client.send(hl7Message('INFLIGHT'));
    await started.promise;
    const closed = server.close();
    await expect(RawMllpPeer.connect(port)).rejects.toThrow();
    release.resolve();

    expect(ackSummary(await ack).controlId).toBe('INFLIGHT');
    await closed;
    const late: unknown = await client.send(hl7Message('LATE')).catch((error: unknown) => error);
    expect(late).toBeInstanceOf(MllpError);
    expect([MllpErrorCode.NotConnected, MllpErrorCode.ConnectionClosed]).toContain((late as MllpError).code);
  });

  it('writes every message a handler answers with, in order, and nothing for an empty answer', async () => {
    const server = await startServer(async (frame) => {
      const controlId = parseHl7(frame.toString()).get('MSH-10') ?? '';
      if (controlId === 'SILENT') {
        return [];
      }
      const ack = await ackingHandler(frame);
      return [ack, ack.replace('MSA|AA|', 'MSA|CA|')];
    });
    const peer = await RawMllpPeer.connect(server.port);

    await peer.write(encodeMllpFrame(hl7Message('TWO')), encodeMllpFrame(hl7Message('SILENT')), encodeMllpFrame(hl7Message('NEXT')));
    await peer.waitForReplies(4);

    expect(peer.replies.map((reply) => `${ackSummary(reply).code ?? ''}:${ackSummary(reply).controlId ?? ''}`)).toEqual(['AA:TWO', 'CA:TWO', 'AA:NEXT', 'CA:NEXT']);
    peer.destroy();
  });

  it('NAKs a handler that answers with bytes that would break the framing', async () => {
    const server = await startServer(() => Promise.resolve('MSA|AA|\u001c\r'));
    const client = await connect(server);

    expect(ackSummary(await client.send(hl7Message('M5'))).code).toBe('AR');
  });
});

describe(MllpClient.name, () => {
  it('fails every outstanding send when an acknowledgment times out', async () => {
    const server = new MllpServer(() => new Promise<string>(() => undefined), { port: 0 });
    await server.listen();
    const client = await MllpClient.connect({ port: server.port, responseTimeoutMs: 50 });

    const sends = [client.send(hl7Message('A')), client.send(hl7Message('B'))];

    await expect(sends[0]).rejects.toMatchObject({ code: MllpErrorCode.ResponseTimeout });
    await expect(sends[1]).rejects.toMatchObject({ code: MllpErrorCode.ResponseTimeout });
    expect(client.isConnected).toBe(false);
    await server.close();
  });

  it('collects the several replies that answer one message, then matches the next send', async () => {
    const server = new MllpServer(async (frame) => {
      const ack = await ackingHandler(frame);
      return [ack.replace('MSA|AA|', 'MSA|CA|'), ack];
    }, { port: 0 });
    await server.listen();
    const client = await MllpClient.connect({ port: server.port });

    const first = await client.exchange(hl7Message('E1'), 2);
    const second = await client.exchange(hl7Message('E2'), 2);

    expect(first.map((reply) => ackSummary(reply))).toEqual([
      { code: 'CA', controlId: 'E1' },
      { code: 'AA', controlId: 'E1' },
    ]);
    expect(second.map((reply) => ackSummary(reply).controlId)).toEqual(['E2', 'E2']);
    await client.close();
    await server.close();
  });

  it('refuses to send before connecting', async () => {
    await expect(new MllpClient({ port: 1 }).send('MSH|^~\\&')).rejects.toMatchObject({ code: MllpErrorCode.NotConnected });
  });

  it('refuses a payload that contains MLLP block bytes', async () => {
    const server = new MllpServer(ackingHandler, { port: 0 });
    await server.listen();
    const client = await MllpClient.connect({ port: server.port });

    await expect(client.send('MSH|\u000b')).rejects.toMatchObject({ code: MllpErrorCode.InvalidPayload });
    await client.close();
    await server.close();
  });
});
