import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor, NurseRole } from '../referrals/referral-state-machine';

export interface Nurse {
  id: string;
  teamId: string;
  role: NurseRole;
  skills: string[];
  languages: string[];
  active: boolean;
  updatedAt: Date;
}

interface NurseRow {
  id: string;
  team_id: string;
  role: NurseRole;
  skills: string[];
  languages: string[];
  active: boolean;
  updated_at: Date;
}

const toNurse = (row: NurseRow): Nurse => ({
  id: row.id,
  teamId: row.team_id,
  role: row.role,
  skills: row.skills,
  languages: row.languages,
  active: row.active,
  updatedAt: row.updated_at,
});

/** Who is acting: a registered nurse, or someone outside the registry (e.g. an integration) known only by id. */
export function actorOf(nurse: Nurse | undefined, actorId: string): Actor {
  return nurse
    ? { kind: 'nurse', id: nurse.id, teamId: nurse.teamId, role: nurse.role, skills: nurse.skills, active: nurse.active }
    : { kind: 'external', id: actorId };
}

@Injectable()
export class NurseRepository {
  constructor(private readonly dataSource: DataSource) {}

  async upsert(nurse: Omit<Nurse, 'updatedAt'>): Promise<Nurse> {
    const rows: NurseRow[] = await this.dataSource.query(
      `INSERT INTO nurses (id, team_id, role, skills, languages, active) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET team_id = EXCLUDED.team_id, role = EXCLUDED.role, skills = EXCLUDED.skills,
         languages = EXCLUDED.languages, active = EXCLUDED.active, updated_at = now()
       RETURNING *`,
      [nurse.id, nurse.teamId, nurse.role, nurse.skills, nurse.languages, nurse.active],
    );
    return toNurse(rows[0]);
  }

  async find(manager: EntityManager, id: string): Promise<Nurse | undefined> {
    const rows: NurseRow[] = await manager.query('SELECT * FROM nurses WHERE id = $1', [id]);
    return rows.length === 1 ? toNurse(rows[0]) : undefined;
  }

  async list(teamId: string | null): Promise<Nurse[]> {
    const rows: NurseRow[] = await this.dataSource.query('SELECT * FROM nurses WHERE ($1::text IS NULL OR team_id = $1) ORDER BY team_id, id', [teamId]);
    return rows.map(toNurse);
  }

  async activeSupervisors(manager: EntityManager, teamId: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await manager.query(`SELECT id FROM nurses WHERE team_id = $1 AND role = 'supervisor' AND active ORDER BY id`, [teamId]);
    return rows.map((row) => row.id);
  }
}
