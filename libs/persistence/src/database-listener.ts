import { Client, type ClientConfig } from 'pg';
import { createLogger } from '@sc/observability';

export interface DatabaseListenerOptions {
  databaseUrl: string;
  ssl?: ClientConfig['ssl'];
  applicationName: string;
  /** The channel the tables' triggers NOTIFY (a trusted identifier). */
  channel: string;
  /** Reads the whole state; at start and after every reconnection. */
  reload(client: Client): Promise<void>;
  /** Applies one notification's payload, after the reload it followed. */
  notified(payload: string, client: Client): Promise<void> | void;
  reconnectMs?: number;
}

/**
 * State a service keeps in memory from its own database, current in every instance whichever
 * instance changed it: one dedicated connection LISTENs to the channel the tables' triggers
 * NOTIFY. It listens before it loads, so a change committed in between is read, notified or both;
 * the load and the notifications are applied one after another in the order they came. A lost
 * connection is reopened and everything read again.
 */
export class DatabaseListener {
  private readonly logger = createLogger(DatabaseListener.name);
  private current: Client | undefined;
  private steps: Promise<void> = Promise.resolve();
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(private readonly options: DatabaseListenerOptions) {}

  /** Resolves once the first load is done. */
  static async start(options: DatabaseListenerOptions): Promise<DatabaseListener> {
    const listener = new DatabaseListener(options);
    await listener.connect();
    return listener;
  }

  /**
   * Resolves once every change committed before the call has been applied: the server sends a
   * pending notification before it answers a later query on the same connection.
   */
  async caughtUp(): Promise<void> {
    const client = this.current;
    if (client) {
      await this.enqueue(client, async () => void (await client.query('SELECT 1')));
      await this.steps;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.current;
    this.current = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.options.databaseUrl, ssl: this.options.ssl, application_name: this.options.applicationName });
    this.current = client;
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', ({ payload }) => {
      if (payload !== undefined) {
        void this.enqueue(client, () => this.options.notified(payload, client)).catch(() => undefined);
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.options.channel}`);
      await this.enqueue(client, () => this.options.reload(client));
    } catch (error) {
      this.lost(client, error);
      throw error;
    }
  }

  /** Runs `step` after the steps before it, while `client` is the current connection; a failure counts as a lost connection. */
  private enqueue(client: Client, step: () => Promise<void> | void): Promise<void> {
    const done = this.steps.then(async () => {
      if (client === this.current) {
        await step();
      }
    });
    this.steps = done.catch((error: unknown) => this.lost(client, error));
    return done;
  }

  private lost(client: Client, error: unknown): void {
    if (client !== this.current) {
      return;
    }
    this.current = undefined;
    void client.end().catch(() => undefined);
    if (this.stopped) {
      return;
    }
    this.logger.warn({ err: error, channel: this.options.channel }, 'listener lost its connection; reconnecting, then reloading');
    this.retry = setTimeout(() => void this.connect().catch(() => undefined), this.options.reconnectMs ?? 1000);
  }
}
