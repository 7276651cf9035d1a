import type { Logger } from '@sc/observability';

/**
 * Runs `tick` over and over: again at once while it reports more work, otherwise after
 * `intervalMs` or as soon as `wake()` is called. A failing tick is logged and retried after the
 * interval, so a database outage pauses the loop without ending it.
 */
export class PollingLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly tick: () => Promise<boolean>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.running) {
      return;
    }
    this.running = true;
    this.loop = this.run();
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let more = false;
      this.woken = false;
      try {
        more = await this.tick();
      } catch (error) {
        this.logger.warn({ err: error, loop: this.name }, 'poll failed; retrying after the interval');
      }
      if (!more && this.running && !this.woken) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.intervalMs);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = undefined;
      }
    }
  }
}
