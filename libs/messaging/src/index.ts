export { createKafka, type KafkaConnectionOptions } from './kafka-connection';
export { provisionTopics, deleteTopicsWithPrefix } from './topic-provisioner';
export { CREATE_MESSAGING_TABLES, DROP_MESSAGING_TABLES, InboxRetentionIndex1765500000000, OutboxPendingQueue1765600000000 } from './messaging-tables';
export { Outbox, outboxAppendCtes } from './outbox';
export { claimInbox } from './inbox';
export { OutboxRelay, type OutboxRelayOptions } from './outbox-relay';
export {
  KafkaEventsServer,
  HandlesEvent,
  RethrowEventErrorsFilter,
  type KafkaEventsServerOptions,
} from './kafka-events.server';
export { UnprocessableEventError, decideOnFailure, backoffDelay, type ClassifiedError } from './event-failure';
export type { Kafka } from 'kafkajs';
export { replayDeadLetters, type ReplayOptions, type ReplaySummary } from './dead-letter-replay';
export { EventRun } from './event-run';
export { EVENT_RELEVANCE, EVERY_EVENT, type EventRelevance } from './event-relevance';
