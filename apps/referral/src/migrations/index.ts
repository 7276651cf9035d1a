import { InboxRetentionIndex1765500000000, OutboxPendingQueue1765600000000 } from '@sc/messaging';
import { InitialSchema1763800000000 } from './1763800000000-initial-schema';
import { ReferralQueues1764300000000 } from './1764300000000-referral-queues';
import { AuditLog1764500000000 } from './1764500000000-audit-log';
import { AttributionNotices1766100000000 } from './1766100000000-attribution-notices';
import { CanonicalLanguages1766500000000 } from './1766500000000-canonical-languages';

/** Every migration of this service, in order; checked in and reviewed like code. */
export const MIGRATIONS = [InitialSchema1763800000000, ReferralQueues1764300000000, AuditLog1764500000000, InboxRetentionIndex1765500000000, OutboxPendingQueue1765600000000, AttributionNotices1766100000000, CanonicalLanguages1766500000000];
