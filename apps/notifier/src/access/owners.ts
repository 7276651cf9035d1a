import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ownersBySql, type OwnerResolver, type ResourceOwners } from '@sc/security';

/**
 * A notification is seen by the people and team pools it was delivered to: its deliveries'
 * recipients (`user:<id>`, `team:<id>`), and the registered members of those teams (membership
 * here is the notifier's, which receipts use too). A notification with no delivery yet is unknown.
 */
@Injectable()
export class NotificationOwners implements OwnerResolver {
  constructor(private readonly dataSource: DataSource) {}

  ownersOf(id: string): Promise<ResourceOwners | undefined> {
    return ownersBySql(
      this.dataSource,
      `SELECT DISTINCT CASE WHEN recipient LIKE 'team:%' THEN substr(recipient, 6) END AS team,
                       CASE WHEN recipient LIKE 'user:%' THEN substr(recipient, 6) END AS person
         FROM deliveries WHERE notification_id = $1
       UNION
       SELECT NULL, m.recipient_id
         FROM deliveries d JOIN team_members m ON d.recipient = 'team:' || m.team_id
        WHERE d.notification_id = $1`,
      id,
      false,
    );
  }
}
