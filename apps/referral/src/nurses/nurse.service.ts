import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ReferralError, ReferralErrorCode } from '../errors/referral-error';
import { SKILLS, normalizeLanguage, queueIdOf } from '../referrals/queue-routing';
import type { NurseDto } from './nurse.dto';
import { NurseRepository, type Nurse } from './nurse.repository';
import { toNurseView, type NurseView } from './nurse.views';

const queuesOf = (nurse: Nurse): string[] => (nurse.role === 'supervisor' ? SKILLS : nurse.skills).map((skill) => queueIdOf(nurse.teamId, skill));

/** The nurse registry: team, role, skills (which queues) and languages (which patients first). */
@Injectable()
export class NurseService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly nurses: NurseRepository,
  ) {}

  async register(id: string, dto: NurseDto): Promise<NurseView> {
    const languages = [...new Set(dto.languages.map(normalizeLanguage).filter((language): language is string => language !== null))];
    const nurse = await this.nurses.upsert({ id, teamId: dto.teamId, role: dto.role, skills: [...new Set(dto.skills)], languages, active: dto.active ?? true });
    return toNurseView(nurse, queuesOf(nurse));
  }

  async get(id: string): Promise<NurseView> {
    const nurse = await this.nurses.find(this.dataSource.manager, id);
    if (!nurse) {
      throw new ReferralError(ReferralErrorCode.NurseNotFound, `nurse ${id} is not registered`);
    }
    return toNurseView(nurse, queuesOf(nurse));
  }

  async list(teamId: string | null): Promise<NurseView[]> {
    return (await this.nurses.list(teamId)).map((nurse) => toNurseView(nurse, queuesOf(nurse)));
  }
}
