import type { NotificationUrgency } from '@sc/contracts';
import { quietHoursEnd, type QuietHours } from './quiet-hours';
import { userKey, type RecipientKey } from './recipient-key';

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
 * stream's sequence order that Last-Event-ID resume relies on. A team pool has only the feed;
 * its members' own channels come from `planTeamDeliveries`.
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

/** A member of an addressed team, as known when the notification is dispatched. */
export interface TeamMemberPreferences {
  recipientId: string;
  preferences: DeliveryPreferences | undefined;
}

/**
 * A team notification: the team's pool feed, plus each member's webhook and email exactly as a
 * personal notification would plan them (their quiet hours, urgent bypassing). Members get no
 * personal feed item: they already see the pool in the team stream, and a second copy in their
 * own stream would show them everything twice.
 */
export function planTeamDeliveries(
  team: RecipientKey,
  members: readonly TeamMemberPreferences[],
  urgency: NotificationUrgency,
  now: Date,
): PlannedDelivery[] {
  return [
    ...planDeliveries(team, undefined, urgency, now),
    ...members.flatMap((member) =>
      planDeliveries(userKey(member.recipientId), member.preferences, urgency, now).filter((delivery) => delivery.channel !== 'sse'),
    ),
  ];
}

/**
 * One planned delivery per (channel, recipient), first wins: a person reached both directly and
 * through a team (or through two teams) is sent each channel once. The table's unique key would
 * drop the rest anyway; planning them once keeps the insert and its counts honest.
 */
export function uniqueDeliveries(planned: readonly PlannedDelivery[]): PlannedDelivery[] {
  const seen = new Set<string>();
  return planned.filter((delivery) => {
    const key = `${delivery.channel} ${delivery.recipient}`;
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}
