export { eventually } from './eventually';
export { SseClient, type SseEvent } from './sse-client';
export { ServiceProcess, SERVICES, repoRoot, type ServiceName } from './service-process';
export { newRunId, freePort, databaseUrl, dropRunDatabases, kafkaBrokers, ADMIN_DATABASE_URL } from './test-environment';
export { SystemUnderTest, type SystemOptions } from './system-under-test';
export { SYNTHETIC_SSN, syntheticAdt, type SyntheticAdt } from './adt-factory';
export { FakeSmtpServer, type ReceivedMail, type FakeSmtpOptions } from './fake-smtp-server';
export { createTestPki, type TestPki } from './test-pki';
export { recordStatements } from './statement-recorder';
