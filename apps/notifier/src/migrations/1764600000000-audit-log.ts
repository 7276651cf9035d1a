import { AuditLogMigration } from '@sc/security';

/** The hash-chained, append-only audit log (libs/security). */
export class AuditLog1764600000000 extends AuditLogMigration {
  name = 'AuditLog1764600000000';
}
