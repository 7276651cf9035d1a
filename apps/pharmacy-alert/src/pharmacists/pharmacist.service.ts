import { Inject, Injectable } from '@nestjs/common';
import { languageCodes, unrecognisedLanguages } from '@sc/language';
import { MetricsRegistry } from '@sc/observability';
import type { PharmacistDto, PharmacistView } from './pharmacist.dto';
import { PharmacistRepository } from './pharmacist.repository';

/** Pharmacist profiles; languages are stored as canonical codes so routing compares like with like. */
@Injectable()
export class PharmacistService {
  private readonly languages: ReturnType<typeof unrecognisedLanguages>;

  constructor(
    private readonly pharmacists: PharmacistRepository,
    @Inject(MetricsRegistry) metrics: MetricsRegistry,
  ) {
    this.languages = unrecognisedLanguages(metrics);
  }

  async register(id: string, dto: PharmacistDto): Promise<void> {
    const languages = languageCodes(dto.languages);
    languages.forEach((language) => this.languages.report('pharmacist-profile', language));
    await this.pharmacists.upsert(id, { ...dto, languages: languages.map((language) => language.code) });
  }

  list(teamId: string | undefined): Promise<PharmacistView[]> {
    return this.pharmacists.list(teamId);
  }
}
