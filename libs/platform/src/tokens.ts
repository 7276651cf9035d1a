/** Injection tokens of what the platform module provides to every service. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const SERVICE_NAME = Symbol('SERVICE_NAME');
export const KAFKA = Symbol('KAFKA');
export const REDIS = Symbol('REDIS');
