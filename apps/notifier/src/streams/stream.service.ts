import { BadRequestException, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createLogger } from '@sc/observability';
import type { NotifierConfig } from '../config';
import { NotificationMetrics } from '../metrics/notification-metrics';
import { DeliveryRepository } from '../notifications/delivery.repository';
import { ID_PATTERN } from '../notifications/recipient-key';
import type { StreamItem } from '../notifications/stream-item';
import { StreamHub } from './stream-hub';

@Injectable()
export class StreamService {
  private readonly logger = createLogger(StreamService.name);

  constructor(
    private readonly hub: StreamHub,
    private readonly deliveries: DeliveryRepository,
    private readonly metrics: NotificationMetrics,
  ) {}

  recipientFrom(kind: string, id: string): string {
    if ((kind !== 'users' && kind !== 'teams') || !ID_PATTERN.test(id)) {
      throw new BadRequestException('stream path must be /v1/streams/users/<id> or /v1/streams/teams/<id>');
    }
    return `${kind === 'users' ? 'user' : 'team'}:${id}`;
  }

  resumePoint(lastEventId: string | undefined): string | undefined {
    if (lastEventId === undefined || lastEventId === '') {
      return undefined;
    }
    if (!/^\d{1,18}$/.test(lastEventId)) {
      throw new BadRequestException('Last-Event-ID must be a delivery sequence number');
    }
    return lastEventId;
  }

  /**
   * Subscribes first and buffers, then sends the backlog from PostgreSQL, then live items; items
   * are sent in sequence order and never twice on one connection, so a reconnect with
   * Last-Event-ID loses nothing.
   */
  async serve(recipient: string, resumeAfter: string | undefined, request: Request, response: Response, config: NotifierConfig): Promise<void> {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    response.write('retry: 2000\n\n');
    // Sequence numbers are taken at insert but become visible at commit, so a lower number can
    // appear after a higher one was sent: items are de-duplicated by number, the event id is the
    // highest number sent (the resume cursor), and catch-up also asks for anything still pending.
    let lastSent = resumeAfter === undefined ? 0n : BigInt(resumeAfter);
    // The item numbered Last-Event-ID reached the client (an event carries that id only once the
    // item was sent, and a stream arrives in order), even if the notifier died before marking it
    // streamed: the catch-up's pending items must not send it again.
    const sent = new Set<string>(resumeAfter === undefined ? [] : [resumeAfter]);
    let draining = true;
    const pending: StreamItem[] = [];
    let closed = false;

    // `live`: the item arrived while this stream was open (pub/sub or reconcile). The backlog sent
    // on connecting waited for the person, not for us, so it is counted apart from the latency.
    const send = (item: StreamItem, live: boolean): void => {
      if (closed || sent.has(item.seq)) {
        return;
      }
      sent.add(item.seq);
      if (BigInt(item.seq) > lastSent) {
        lastSent = BigInt(item.seq);
      }
      response.write(`id: ${lastSent}\nevent: notification\ndata: ${JSON.stringify(item)}\n\n`);
      void this.deliveries
        .markStreamed(item.seq)
        .then((first) => {
          if (first) {
            return live ? this.metrics.delivered('sse', first.requestedAt) : this.metrics.count('sse', 'on-connect');
          }
        })
        .catch((error: unknown) => this.logger.warn({ err: error }, 'delivery not marked'));
    };
    const unsubscribe = await this.hub.subscribe(recipient, (item) => (draining ? pending.push(item) : send(item, true)));

    const catchUp = async (after: string | undefined, live: boolean): Promise<void> => {
      for (const item of await this.deliveries.streamBacklog(recipient, after)) {
        send(item, live);
      }
    };
    await catchUp(resumeAfter, false);
    pending.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1)).forEach((item) => send(item, true));
    draining = false;

    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), config.SSE_HEARTBEAT_MS);
    const reconcile = setInterval(() => {
      void catchUp(lastSent.toString(), true).catch((error: unknown) => this.logger.warn({ err: error }, 'stream reconcile failed'));
    }, config.SSE_RECONCILE_MS);
    request.on('close', () => {
      closed = true;
      clearInterval(heartbeat);
      clearInterval(reconcile);
      void unsubscribe();
    });
  }
}
