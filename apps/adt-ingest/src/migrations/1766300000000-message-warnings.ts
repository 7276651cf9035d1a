import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Data-quality warnings on accepted messages (docs/ingest.md), searched by the operator API by warning. */
export class MessageWarnings1766300000000 implements MigrationInterface {
  name = 'MessageWarnings1766300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE message_warnings (
        message_id uuid NOT NULL REFERENCES received_messages (id) ON DELETE CASCADE,
        warning text NOT NULL,
        PRIMARY KEY (message_id, warning)
      )`);
    await runner.query('CREATE INDEX message_warnings_by_warning ON message_warnings (warning, message_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE message_warnings');
  }
}
