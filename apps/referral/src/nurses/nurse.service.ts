import { Inject, Injectable } from '@nestjs/common';
import { languageCodes, unrecognisedLanguages } from '@sc/language';
import { MetricsRegistry } from '@sc/observability';
import { DataSource } from 'typeorm';
import { ReferralError, ReferralErrorCode } from '../errors/referral-error';
import { SKILLS, queueIdOf } from '../referrals/queue-routing';
import type { NurseDto } from './nurse.dto';
import { NurseRepository, type Nurse } from './nurse.repository';
import { toNurseView, type NurseView } from './nurse.views';

const queuesOf = (nurse: Nurse): string[] => (nurse.role === 'supervisor' ? SKILLS : nurse.skills).map((skill) => queueIdOf(nurse.teamId, skill));

/** The nurse registry: team, role, skills (which queues) and languages (which patients first). */
@Injectable()
export class NurseService {
  private readonly languages: ReturnType<typeof unrecognisedLanguages>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly nurses: NurseRepository,
    @Inject(MetricsRegistry) metrics: MetricsRegistry,
  ) {
    this.languages = unrecognisedLanguages(metrics);
  }

  async register(id: string, dto: NurseDto): Promise<NurseView> {
    const languages = languageCodes(dto.languages).map((language) => {
      this.languages.report('nurse-profile', language);
      return language.code;
    });
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
