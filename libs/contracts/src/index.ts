export * from './envelope';
export * from './events';
export * from './topics';
export * from './envelope-codec';
export * from './care-gap-events';
export * from './referral-events';
export * from './notifier-events';
export * from './adt-ingest-events';
