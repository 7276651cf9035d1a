/**
 * Events of the notifier (owner: notifier). Kept in its own file; merged into the catalogue in
 * events.ts.
 */
export interface NotificationReceiptData {
  notificationId: string;
  recipientId: string;
  itemType: string;
  itemId: string;
  at: string;
}

export interface NotifierEventPayloads {
  'notification.read': NotificationReceiptData;
  'notification.acknowledged': NotificationReceiptData;
}

export const NOTIFIER_EVENT_VERSIONS: { readonly [T in keyof NotifierEventPayloads]: number } = {
  'notification.read': 1,
  'notification.acknowledged': 1,
};
