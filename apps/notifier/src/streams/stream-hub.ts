import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createLogger } from '@sc/observability';
import { REDIS } from '@sc/platform';
import type { StreamItem } from '../notifications/stream-item';
import { streamChannel } from '../notifications/stream-item';

type Listener = (item: StreamItem) => void;

/** One Redis subscriber connection per instance, fanned out to the open streams it holds. */
@Injectable()
export class StreamHub implements OnModuleDestroy {
  private readonly logger = createLogger(StreamHub.name);
  private readonly subscriber: Redis;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(@Inject(REDIS) redis: Redis) {
    this.subscriber = redis.duplicate();
    this.subscriber.on('message', (channel: string, message: string) => this.dispatch(channel, message));
    this.subscriber.on('error', (error: Error) => this.logger.warn({ err: error }, 'stream subscriber error'));
  }

  get openStreams(): number {
    let count = 0;
    for (const set of this.listeners.values()) {
      count += set.size;
    }
    return count;
  }

  async subscribe(recipient: string, listener: Listener): Promise<() => Promise<void>> {
    const channel = streamChannel(recipient);
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      await this.subscriber.subscribe(channel);
    }
    set.add(listener);
    return async () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(channel) === set) {
        this.listeners.delete(channel);
        await this.subscriber.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  onModuleDestroy(): void {
    this.subscriber.disconnect();
  }

  private dispatch(channel: string, message: string): void {
    const set = this.listeners.get(channel);
    if (!set) {
      return;
    }
    const item = JSON.parse(message) as StreamItem;
    for (const listener of set) {
      listener(item);
    }
  }
}
