import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CREATE_AUDIT_LOG, DROP_AUDIT_LOG } from '@sc/security';

export class AuditLog1764400000000 implements MigrationInterface {
  name = 'AuditLog1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(CREATE_AUDIT_LOG);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(DROP_AUDIT_LOG);
  }
}
