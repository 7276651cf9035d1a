import http from 'node:http';

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
  receivedAt: number;
}

/** A minimal Server-Sent Events reader for tests, demos and benchmarks (no reconnect of its own). */
export class SseClient {
  readonly events: SseEvent[] = [];
  private request: http.ClientRequest | undefined;
  private waiters: Array<() => void> = [];

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    await client.connect(url, headers);
    return client;
  }

  private connect(url: string, headers: Record<string, string>): Promise<void> {
    return new Promise((resolve, reject) => {
      const request = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (response) => {
        if (response.statusCode !== 200) {
          reject(new Error(`SSE ${url} answered ${response.statusCode}`));
          response.resume();
          return;
        }
        response.setEncoding('utf8');
        let buffer = '';
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let boundary = buffer.indexOf('\n\n');
          while (boundary >= 0) {
            this.parseBlock(buffer.slice(0, boundary));
            buffer = buffer.slice(boundary + 2);
            boundary = buffer.indexOf('\n\n');
          }
        });
        resolve();
      });
      request.on('error', reject);
      this.request = request;
    });
  }

  private parseBlock(block: string): void {
    let id: string | undefined;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('id: ')) {id = line.slice(4);}
      else if (line.startsWith('event: ')) {event = line.slice(7);}
      else if (line.startsWith('data: ')) {data.push(line.slice(6));}
    }
    if (data.length === 0) {
      return;
    }
    this.events.push({ id, event, data: data.join('\n'), receivedAt: Date.now() });
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }

  /** Resolves with the first received event matching `predicate` (already received ones included). */
  async waitFor(predicate: (event: SseEvent) => boolean, timeoutMs = 15_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) {
        return found;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(`no matching SSE event within ${timeoutMs} ms (${this.events.length} received)`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.request?.destroy();
  }
}
