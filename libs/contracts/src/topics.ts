import { CARE_GAP_EVENT_TOPICS } from './care-gap-events';
import type { EventType } from './events';

/** One entry of the declarative topic catalogue; provisions local brokers and generates production resources. */
export interface TopicSpec {
  name: string;
  partitions: number;
  retentionMs: number;
  cleanupPolicy: 'delete' | 'compact';
  /** Where a consumer sends an event it could not handle after its retries. */
  deadLetter: { name: string; partitions: number; retentionMs: number };
  producer: string;
  description: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function topic(
  name: string,
  producer: string,
  description: string,
  overrides: Partial<Pick<TopicSpec, 'partitions' | 'retentionMs' | 'cleanupPolicy'>> = {},
): TopicSpec {
  const partitions = overrides.partitions ?? 6;
  return {
    name,
    partitions,
    retentionMs: overrides.retentionMs ?? 14 * DAY_MS,
    cleanupPolicy: overrides.cleanupPolicy ?? 'delete',
    deadLetter: { name: `${name}.dlt`, partitions: 1, retentionMs: 30 * DAY_MS },
    producer,
    description,
  };
}

export const TOPIC_CATALOGUE = {
  encounters: topic('care.encounters.v1', 'adt-ingest', 'Encounter events from hospital ADT feeds, keyed by patient.'),
  pharmacy: topic('care.pharmacy.v1', 'pharmacy-alert', 'Pharmacist tasks, contacts, reconciliations and need flags.'),
  rosterChanges: topic('care.roster-changes.v1', 'enrollment systems', 'Specialty-pharmacy enrollment changes, keyed by pharmacy patient id.', {
    partitions: 3,
  }),
  careGaps: topic('care.care-gaps.v1', 'care-gap', 'Care gaps opened, updated and closed, keyed by patient.'),
  referrals: topic('care.referrals.v1', 'referral', 'Referrals and their state changes, keyed by patient.'),
  clinicalContext: topic('care.clinical-context.v1', 'clinical systems', 'Conditions, devices on hand and plan benefits, keyed by patient.'),
  notificationRequests: topic(
    'care.notification-requests.v1',
    'pharmacy-alert,care-gap,referral',
    'Requests to notify a person or team; consumed by the notifier.',
  ),
  notifications: topic('care.notifications.v1', 'notifier', 'Notification receipts and escalations, for the services that own the work.'),
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof TOPIC_CATALOGUE;

/** Which topic carries each event type; a new event type without a topic does not compile. */
export const EVENT_TOPICS: { readonly [T in EventType]: TopicKey } = {
  'encounter.admitted': 'encounters',
  'encounter.transferred': 'encounters',
  'encounter.discharged': 'encounters',
  'encounter.registered': 'encounters',
  'encounter.preadmitted': 'encounters',
  'encounter.class-changed': 'encounters',
  'encounter.updated': 'encounters',
  'encounter.admission-cancelled': 'encounters',
  'encounter.transfer-cancelled': 'encounters',
  'encounter.discharge-cancelled': 'encounters',
  'patient.merged': 'encounters',
  'pharmacy.task-created': 'pharmacy',
  'pharmacy.task-cancelled': 'pharmacy',
  'pharmacy.task-acknowledged': 'pharmacy',
  'pharmacy.contact-attempted': 'pharmacy',
  'pharmacy.medication-reconciled': 'pharmacy',
  'pharmacy.need-flagged': 'pharmacy',
  'pharmacy.task-completed': 'pharmacy',
  'pharmacy.task-escalated': 'pharmacy',
  'pharmacy.refill-hold-placed': 'pharmacy',
  'pharmacy.refill-hold-released': 'pharmacy',
  'pharmacy.patient-expired': 'pharmacy',
  'roster.enrollment-changed': 'rosterChanges',
  ...CARE_GAP_EVENT_TOPICS,
  'referral.created': 'referrals',
  'referral.status-changed': 'referrals',
  'referral.sla-escalated': 'referrals',
  'referral.briefing-sent': 'referrals',
  'notification.requested': 'notificationRequests',
  'notification.acknowledged': 'notifications',
  'notification.escalated': 'notifications',
};

/**
 * Topic names with an optional prefix, so that test runs (and tenants sharing a cluster)
 * get their own topics without changing the catalogue.
 */
export class TopicNames {
  constructor(private readonly prefix: string = '') {}

  of(key: TopicKey): string {
    return `${this.prefix}${TOPIC_CATALOGUE[key].name}`;
  }

  forEvent(type: EventType): string {
    return this.of(EVENT_TOPICS[type]);
  }

  deadLetterOf(key: TopicKey): string {
    return `${this.prefix}${TOPIC_CATALOGUE[key].deadLetter.name}`;
  }

  deadLetterForTopic(topicName: string): string {
    return `${topicName}.dlt`;
  }

  /** Every topic and dead-letter topic of the catalogue, as provisioned. */
  all(): Array<{ name: string; partitions: number; retentionMs: number; cleanupPolicy: 'delete' | 'compact' }> {
    return Object.values(TOPIC_CATALOGUE).flatMap((spec) => [
      { name: `${this.prefix}${spec.name}`, partitions: spec.partitions, retentionMs: spec.retentionMs, cleanupPolicy: spec.cleanupPolicy },
      {
        name: `${this.prefix}${spec.deadLetter.name}`,
        partitions: spec.deadLetter.partitions,
        retentionMs: spec.deadLetter.retentionMs,
        cleanupPolicy: 'delete' as const,
      },
    ]);
  }
}
