import type { EventEnvelope, NotificationUrgency } from '@sc/contracts';
import { UnprocessableEventError } from '@sc/messaging';
import { linkViolation, titleViolation } from './content-guard';
import { ID_PATTERN, NOTIFICATION_ID_PATTERN, recipientKey, type RecipientKey } from './recipient-key';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ITEM_TYPE = /^[a-z0-9-]{1,64}$/;
const ITEM_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const URGENCIES: readonly NotificationUrgency[] = ['routine', 'urgent'];
export const MAX_ESCALATE_AFTER_SECONDS = 7 * 24 * 60 * 60;

export interface EscalationRule {
  afterSeconds: number;
  recipientId: string | null;
  toTeamLead: boolean;
}

/** A `notification.requested` event checked once, so everything behind it works on valid input. */
export interface NotificationRequest {
  notificationId: string;
  target: RecipientKey;
  recipientId: string | null;
  teamId: string | null;
  title: string;
  urgency: NotificationUrgency;
  dueAt: Date | null;
  link: string;
  itemType: string;
  itemId: string;
  /** Only urgent requests escalate; the fields are ignored on routine ones. */
  escalation: EscalationRule | null;
  sourceEventId: string;
  correlationId: string;
  subject: string;
  /** The event's recordedAt, where delivery latency starts; null if unreadable (only the metric needs it). */
  requestedAt: Date | null;
}

const refuse = (code: string, message: string): never => {
  throw new UnprocessableEventError(code, message);
};

function optionalId(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === '') {
    return null;
  }
  return typeof value === 'string' && ID_PATTERN.test(value) ? value : refuse('INVALID_RECIPIENT', `${field} is not a valid id`);
}

function escalationOf(data: EventEnvelope<'notification.requested'>['data'], urgency: NotificationUrgency): EscalationRule | null {
  const after = data.escalateAfterSeconds;
  if (after === undefined || after === null) {
    return null;
  }
  if (!Number.isInteger(after) || after < 1 || after > MAX_ESCALATE_AFTER_SECONDS) {
    refuse('INVALID_ESCALATION', `escalateAfterSeconds must be an integer from 1 to ${MAX_ESCALATE_AFTER_SECONDS}`);
  }
  if (data.escalateToTeamLead !== undefined && typeof data.escalateToTeamLead !== 'boolean') {
    refuse('INVALID_ESCALATION', 'escalateToTeamLead must be a boolean');
  }
  const rule = {
    afterSeconds: after,
    recipientId: optionalId(data.escalationRecipientId, 'escalationRecipientId'),
    toTeamLead: data.escalateToTeamLead === true,
  };
  return urgency === 'urgent' ? rule : null;
}

export function notificationRequestFrom(event: EventEnvelope<'notification.requested'>): NotificationRequest {
  const { data } = event;
  const recordedAt = typeof event.recordedAt === 'string' ? new Date(event.recordedAt) : undefined;
  if (typeof data.notificationId !== 'string' || !NOTIFICATION_ID_PATTERN.test(data.notificationId)) {
    refuse('INVALID_NOTIFICATION_ID', 'notificationId must be 1-128 letters, digits, dot, colon, dash or underscore');
  }
  // One UUID, one notification, whatever the letter case the producer wrote it in.
  const notificationId = UUID.test(data.notificationId) ? data.notificationId.toLowerCase() : data.notificationId;
  const recipientId = optionalId(data.recipientId, 'recipientId');
  const teamId = optionalId(data.teamId, 'teamId');
  const target = recipientKey(recipientId, teamId) ?? refuse('NO_RECIPIENT', 'notification request names neither a recipient nor a team');
  const urgency = URGENCIES.includes(data.urgency) ? data.urgency : refuse('INVALID_URGENCY', 'urgency must be routine or urgent');
  const title = typeof data.title === 'string' ? data.title.trim() : refuse('INVALID_TITLE', 'title must be a string');
  const titleProblem = titleViolation(title);
  if (titleProblem) {
    refuse(titleProblem, 'title refused by the minimum-necessary content guard');
  }
  if (typeof data.link !== 'string' || linkViolation(data.link)) {
    refuse('LINK_NOT_A_PATH', 'link must be a path in the owning service, without query or fragment');
  }
  let dueAt: Date | null = null;
  if (data.dueAt !== null && data.dueAt !== undefined) {
    dueAt = new Date(data.dueAt);
    if (typeof data.dueAt !== 'string' || Number.isNaN(dueAt.getTime())) {
      refuse('INVALID_DUE_AT', 'dueAt must be an ISO 8601 time or null');
    }
  }
  if (typeof data.itemType !== 'string' || !ITEM_TYPE.test(data.itemType) || typeof data.itemId !== 'string' || !ITEM_ID.test(data.itemId)) {
    refuse('INVALID_ITEM', 'itemType and itemId must be short identifiers');
  }
  return {
    notificationId,
    target,
    recipientId,
    teamId,
    title,
    urgency,
    dueAt,
    link: data.link,
    itemType: data.itemType,
    itemId: data.itemId,
    escalation: escalationOf(data, urgency),
    sourceEventId: event.id,
    correlationId: event.correlationId,
    subject: event.subject,
    requestedAt: recordedAt && !Number.isNaN(recordedAt.getTime()) ? recordedAt : null,
  };
}
