import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { PharmacistDto, PharmacistView } from './pharmacist.dto';

export interface RoutingCandidate {
  id: string;
  role: string;
  languages: string[];
  openTasks: number;
}

@Injectable()
export class PharmacistRepository {
  constructor(private readonly dataSource: DataSource) {}

  async upsert(id: string, pharmacist: PharmacistDto): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO pharmacists (id, team_id, role, languages, active) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET team_id = EXCLUDED.team_id, role = EXCLUDED.role, languages = EXCLUDED.languages,
         active = EXCLUDED.active, updated_at = now()`,
      [id, pharmacist.teamId, pharmacist.role, pharmacist.languages, pharmacist.active ?? true],
    );
  }

  async list(teamId: string | undefined): Promise<PharmacistView[]> {
    const rows: Array<{ id: string; team_id: string; role: 'pharmacist' | 'team-lead'; languages: string[]; active: boolean }> = await this.dataSource.query(
      'SELECT id, team_id, role, languages, active FROM pharmacists WHERE ($1::text IS NULL OR team_id = $1) ORDER BY id',
      [teamId ?? null],
    );
    return rows.map((row) => ({ id: row.id, teamId: row.team_id, role: row.role, languages: row.languages, active: row.active }));
  }

  /** Active members of a team with their open workload (tasks stored earlier in the caller's transaction included), for routing. */
  async teamMembers(manager: EntityManager, teamId: string): Promise<RoutingCandidate[]> {
    const rows: Array<{ id: string; role: string; languages: string[]; open_tasks: string }> = await manager.query(
      `SELECT p.id, p.role, p.languages,
              (SELECT count(*) FROM tasks t WHERE t.assignee_id = p.id AND t.status IN ('open', 'acknowledged')) AS open_tasks
       FROM pharmacists p WHERE p.team_id = $1 AND p.active ORDER BY p.id`,
      [teamId],
    );
    return rows.map((row) => ({ id: row.id, role: row.role, languages: row.languages, openTasks: Number(row.open_tasks) }));
  }

  /** A pharmacist is activated or deactivated over HTTP, never by an event. */
  async isActive(manager: EntityManager, id: string): Promise<boolean> {
    const rows: Array<{ active: boolean }> = await manager.query('SELECT active FROM pharmacists WHERE id = $1', [id]);
    // A pharmacist the roster names but nobody registered is taken as active: the roster is the older source.
    return rows.length === 0 || rows[0].active;
  }
}
