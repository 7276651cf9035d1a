export * from './envelope';
export * from './events';
export * from './topics';
export * from './envelope-codec';
