import type { NotificationUrgency } from '@sc/contracts';
import { quietHoursEnd, type QuietHours } from './quiet-hours';
import type { RecipientKey } from './recipient-key';

export const CHANNELS = ['sse', 'webhook', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Channels a send worker pushes out (the live stream is pulled by the open connection instead). */
export type OutboundChannel = Exclude<Channel, 'sse'>;

export interface DeliveryPreferences {
  channels: readonly Channel[];
  quietHours: QuietHours | null;
}

/** Someone with no stored preferences still has the live feed. */
export const DEFAULT_PREFERENCES: DeliveryPreferences = { channels: ['sse'], quietHours: null };

export interface PlannedDelivery {
  channel: Channel;
  recipient: RecipientKey;
  /** Set when quiet hours hold the delivery back: not sent before this instant. */
  deferredUntil: Date | null;
}

/**
 * One delivery per channel the recipient chose. Quiet hours hold back routine items on the
 * channels that interrupt (webhook, email); urgent items bypass them. The live feed is never held
 * back: it is only open while the person is using the app, and a later insert would break the
 * stream's sequence order that Last-Event-ID resume relies on. A team pool has only the feed.
 */
export function planDeliveries(
  recipient: RecipientKey,
  preferences: DeliveryPreferences | undefined,
  urgency: NotificationUrgency,
  now: Date,
): PlannedDelivery[] {
  if (recipient.startsWith('team:')) {
    return [{ channel: 'sse', recipient, deferredUntil: null }];
  }
  const { channels, quietHours } = preferences ?? DEFAULT_PREFERENCES;
  const quietUntil = urgency === 'routine' && quietHours ? quietHoursEnd(now, quietHours) : null;
  return channels.map((channel) => ({ channel, recipient, deferredUntil: channel === 'sse' ? null : quietUntil }));
}
