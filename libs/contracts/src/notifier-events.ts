/**
 * Events of the notifier (owner: notifier). Kept in its own file; merged into the catalogue in
 * events.ts.
 */
/** A recipient acknowledged a notification (first acknowledgement per person); produced by the notifier. */
export interface NotificationAcknowledgedData {
  notificationId: string;
  /** The requested notification an escalation belongs to; equals `notificationId` when it is not an escalation. */
  requestedNotificationId: string;
  recipientId: string;
  acknowledgedAt: string;
  itemType: string;
  itemId: string;
}

/** An urgent notification stayed unacknowledged past its deadline and was escalated; produced by the notifier. */
export interface NotificationEscalatedData {
  notificationId: string;
  /** The notification sent to the escalation targets. */
  escalationNotificationId: string;
  targets: Array<{ recipientId: string | null; teamId: string | null }>;
  escalatedAt: string;
  itemType: string;
  itemId: string;
}

export interface NotifierEventPayloads {
  'notification.acknowledged': NotificationAcknowledgedData;
  'notification.escalated': NotificationEscalatedData;
}

export const NOTIFIER_EVENT_VERSIONS: { readonly [T in keyof NotifierEventPayloads]: number } = {
  'notification.acknowledged': 1,
  'notification.escalated': 1,
};
