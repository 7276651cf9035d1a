import { InboxRetentionIndex1765500000000, OutboxPendingQueue1765600000000 } from '@sc/messaging';
import { InitialSchema1763800000000 } from './1763800000000-initial-schema';
import { RecipientsChannelsReceiptsTimers1764200000000 } from './1764200000000-recipients-channels-receipts-timers';
import { AuditLog1764600000000 } from './1764600000000-audit-log';
import { WebhookSecretFormat1765000000000 } from './1765000000000-webhook-secret-format';
import { DeliveryMetrics1765400000000 } from './1765400000000-delivery-metrics';
import { DropRedundantDeliveryIndex1765700000000 } from './1765700000000-drop-redundant-delivery-index';

/** Every migration of this service, in order; checked in and reviewed like code. */
export const MIGRATIONS = [
  InitialSchema1763800000000,
  RecipientsChannelsReceiptsTimers1764200000000,
  AuditLog1764600000000,
  WebhookSecretFormat1765000000000,
  DeliveryMetrics1765400000000,
  InboxRetentionIndex1765500000000,
  OutboxPendingQueue1765600000000,
  DropRedundantDeliveryIndex1765700000000,
];
