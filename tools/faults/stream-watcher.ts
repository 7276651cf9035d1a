import http from 'node:http';

export interface StreamedItem {
  seq: string;
  notificationId: string;
  itemId: string;
  receivedAt: number;
}

/**
 * A person's notifier stream (SSE), read the way a browser's EventSource does: when the
 * connection drops (the notifier was killed) it reconnects with Last-Event-ID, so nothing is
 * missed; an item that arrives twice is a duplicate the notifier sent.
 */
export class StreamWatcher {
  readonly items: StreamedItem[] = [];
  private readonly firstArrival = new Map<string, number>();
  private lastEventId: string | undefined;
  private request: http.ClientRequest | undefined;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  reconnects = 0;

  constructor(
    private readonly url: () => string,
    private readonly headers: () => Record<string, string>,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.follow();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.request?.destroy();
    await this.loop;
  }

  /** When the stream first delivered an item for this work item (a task id). */
  arrivalOf(itemId: string): number | undefined {
    return this.firstArrival.get(itemId);
  }

  private async follow(): Promise<void> {
    while (this.running) {
      await this.readOnce().catch(() => undefined);
      if (this.running) {
        this.reconnects += 1;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  private readOnce(): Promise<void> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Accept: 'text/event-stream', ...this.headers() };
      if (this.lastEventId !== undefined) {
        headers['Last-Event-ID'] = this.lastEventId;
      }
      const request = http.get(this.url(), { headers }, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`stream answered ${String(response.statusCode)}`));
          return;
        }
        response.setEncoding('utf8');
        let buffer = '';
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let boundary = buffer.indexOf('\n\n');
          while (boundary >= 0) {
            this.take(buffer.slice(0, boundary));
            buffer = buffer.slice(boundary + 2);
            boundary = buffer.indexOf('\n\n');
          }
        });
        response.on('end', () => resolve());
        response.on('error', reject);
      });
      request.on('error', reject);
      request.on('close', () => resolve());
      this.request = request;
    });
  }

  private take(block: string): void {
    let id: string | undefined;
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('id: ')) {
        id = line.slice(4);
      } else if (line.startsWith('data: ')) {
        data += line.slice(6);
      }
    }
    if (data === '') {
      return;
    }
    const item = JSON.parse(data) as { seq: string; notificationId: string; itemId: string };
    const receivedAt = Date.now();
    this.lastEventId = id ?? this.lastEventId;
    this.items.push({ seq: item.seq, notificationId: item.notificationId, itemId: item.itemId, receivedAt });
    if (!this.firstArrival.has(item.itemId)) {
      this.firstArrival.set(item.itemId, receivedAt);
    }
  }
}
