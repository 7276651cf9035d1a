import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { UnitOfWork, preparedQuery } from '@sc/persistence';
import type { Channel, DeliveryPreferences } from '../notifications/delivery-plan';
import type { QuietHours } from '../notifications/quiet-hours';
import type { TeamMember } from '../escalation/escalation-targets';
import type { Role } from './roles';

export interface RecipientRecord {
  id: string;
  displayName: string | null;
  roles: Role[];
  teams: string[];
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface PreferencesRecord {
  recipientId: string;
  channels: Channel[];
  email: string | null;
  quietHours: QuietHours | null;
  updatedAt: Date;
}

export interface RecipientUpsert {
  id: string;
  displayName: string | null;
  roles: Role[];
  teams: string[];
  active: boolean;
}

interface RecipientRow {
  id: string;
  display_name: string | null;
  roles: Role[];
  teams: string[];
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

interface PreferencesRow {
  recipient_id: string;
  channels: Channel[];
  email: string | null;
  quiet_start: string | null;
  quiet_end: string | null;
  quiet_time_zone: string | null;
  updated_at: Date;
}

const RECIPIENT_SELECT = `SELECT r.id, r.display_name, r.roles, r.active, r.created_at, r.updated_at,
    coalesce(array(SELECT m.team_id FROM team_members m WHERE m.recipient_id = r.id ORDER BY m.team_id), '{}') AS teams
  FROM recipients r`;

const toRecipient = (row: RecipientRow): RecipientRecord => ({
  id: row.id,
  displayName: row.display_name,
  roles: row.roles,
  teams: row.teams,
  active: row.active,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toPreferences = (row: PreferencesRow): PreferencesRecord => ({
  recipientId: row.recipient_id,
  channels: row.channels,
  email: row.email,
  quietHours:
    row.quiet_start && row.quiet_end && row.quiet_time_zone
      ? { start: row.quiet_start.slice(0, 5), end: row.quiet_end.slice(0, 5), timeZone: row.quiet_time_zone }
      : null,
  updatedAt: row.updated_at,
});

@Injectable()
export class RecipientRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /** Inserts or replaces a recipient and their team memberships. */
  async upsert(recipient: RecipientUpsert): Promise<RecipientRecord> {
    return this.unitOfWork.run(async (manager) => {
      await manager.query(
        `INSERT INTO recipients (id, display_name, roles, active) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name, roles = EXCLUDED.roles,
           active = EXCLUDED.active, updated_at = now()`,
        [recipient.id, recipient.displayName, recipient.roles, recipient.active],
      );
      await manager.query('DELETE FROM team_members WHERE recipient_id = $1', [recipient.id]);
      if (recipient.teams.length > 0) {
        await manager.query('INSERT INTO team_members (team_id, recipient_id) SELECT unnest($1::text[]), $2', [recipient.teams, recipient.id]);
      }
      const rows: RecipientRow[] = await manager.query(`${RECIPIENT_SELECT} WHERE r.id = $1`, [recipient.id]);
      return toRecipient(rows[0]);
    });
  }

  async find(id: string): Promise<RecipientRecord | undefined> {
    const rows: RecipientRow[] = await this.dataSource.query(`${RECIPIENT_SELECT} WHERE r.id = $1`, [id]);
    return rows[0] ? toRecipient(rows[0]) : undefined;
  }

  async list(filter: { teamId?: string; role?: Role }): Promise<RecipientRecord[]> {
    const rows: RecipientRow[] = await this.dataSource.query(
      `${RECIPIENT_SELECT}
       WHERE ($1::text IS NULL OR EXISTS (SELECT 1 FROM team_members m WHERE m.recipient_id = r.id AND m.team_id = $1))
         AND ($2::text IS NULL OR $2 = ANY (r.roles))
       ORDER BY r.id LIMIT 1000`,
      [filter.teamId ?? null, filter.role ?? null],
    );
    return rows.map(toRecipient);
  }

  async upsertPreferences(preferences: Omit<PreferencesRecord, 'updatedAt'>): Promise<PreferencesRecord> {
    const rows: PreferencesRow[] = await this.dataSource.query(
      `INSERT INTO recipient_preferences (recipient_id, channels, email, quiet_start, quiet_end, quiet_time_zone)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (recipient_id) DO UPDATE SET channels = EXCLUDED.channels, email = EXCLUDED.email,
         quiet_start = EXCLUDED.quiet_start, quiet_end = EXCLUDED.quiet_end, quiet_time_zone = EXCLUDED.quiet_time_zone,
         updated_at = now()
       RETURNING recipient_id, channels, email, quiet_start::text, quiet_end::text, quiet_time_zone, updated_at`,
      [
        preferences.recipientId,
        preferences.channels,
        preferences.email,
        preferences.quietHours?.start ?? null,
        preferences.quietHours?.end ?? null,
        preferences.quietHours?.timeZone ?? null,
      ],
    );
    return toPreferences(rows[0]);
  }

  async findPreferences(recipientId: string): Promise<PreferencesRecord | undefined> {
    const rows: PreferencesRow[] = await this.dataSource.query(
      `SELECT recipient_id, channels, email, quiet_start::text, quiet_end::text, quiet_time_zone, updated_at
       FROM recipient_preferences WHERE recipient_id = $1`,
      [recipientId],
    );
    return rows[0] ? toPreferences(rows[0]) : undefined;
  }

  /** Channel choices and quiet hours of the given users; users without preferences are absent. */
  async deliveryPreferences(manager: EntityManager, recipientIds: string[]): Promise<Map<string, DeliveryPreferences>> {
    if (recipientIds.length === 0) {
      return new Map();
    }
    const rows: PreferencesRow[] = await manager.query(
      `SELECT recipient_id, channels, email, quiet_start::text, quiet_end::text, quiet_time_zone, updated_at
       FROM recipient_preferences WHERE recipient_id = ANY ($1::text[])`,
      [recipientIds],
    );
    return new Map(rows.map((row) => {
      const preferences = toPreferences(row);
      return [row.recipient_id, { channels: preferences.channels, quietHours: preferences.quietHours }];
    }));
  }

  async emailOf(recipientId: string): Promise<string | null> {
    const rows: Array<{ email: string | null }> = await this.dataSource.query(
      'SELECT email FROM recipient_preferences WHERE recipient_id = $1',
      [recipientId],
    );
    return rows[0]?.email ?? null;
  }

  /** Active members of the given teams, with their roles. */
  async teamMembers(manager: EntityManager, teamIds: string[]): Promise<TeamMember[]> {
    if (teamIds.length === 0) {
      return [];
    }
    const rows = await preparedQuery<{ recipient_id: string; team_id: string; roles: Role[] }>(
      manager,
      'notifier:team-members',
      `SELECT m.recipient_id, m.team_id, r.roles FROM team_members m JOIN recipients r ON r.id = m.recipient_id
       WHERE m.team_id = ANY ($1::text[]) AND r.active ORDER BY m.team_id, m.recipient_id`,
      [[...new Set(teamIds)]],
    );
    return rows.map((row) => ({ recipientId: row.recipient_id, teamId: row.team_id, roles: row.roles }));
  }

  async teamsOf(manager: EntityManager, recipientId: string): Promise<string[]> {
    const rows: Array<{ team_id: string }> = await manager.query('SELECT team_id FROM team_members WHERE recipient_id = $1', [recipientId]);
    return rows.map((row) => row.team_id);
  }
}
