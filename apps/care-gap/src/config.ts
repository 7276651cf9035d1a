import { existsSync } from 'node:fs';
import path from 'node:path';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import { ServiceConfig, commaList } from '@sc/config';

const RULES_FILE = path.join('apps', 'care-gap', 'rules', 'care-gap-rules.json');

/** The checked-in rule file, found from this module whether it runs from apps/ (tests) or dist/apps/. */
function defaultRulesFile(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, RULES_FILE);
    if (existsSync(candidate)) {
      return candidate;
    }
    if (path.dirname(dir) === dir) {
      return path.resolve(RULES_FILE);
    }
  }
}

export class CareGapConfig extends ServiceConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  HTTP_PORT: number = 3003;

  /** JSON rule file loaded and validated at every start; the service refuses to start on an invalid rule. */
  @IsString()
  @Length(1, 1000)
  CARE_GAP_RULES_FILE: string = defaultRulesFile();

  /** Nurse team that works gaps whose rule names no team. */
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/)
  CARE_GAP_DEFAULT_TEAM_ID: string = 'nursing';

  /**
   * Plans whose members this service serves (comma-separated plan ids, as IN1-2 names them; `*`
   * for every plan, i.e. every covered patient). Plans whose benefits are loaded here participate
   * too. Patients rostered with the pharmacy are served whatever their plan (see docs/architecture.md).
   */
  @Transform(commaList)
  @IsString({ each: true })
  @Matches(/^(\*|[^\s,*]{1,64})$/, { each: true, message: 'PARTICIPATING_PLANS must be plan ids (no spaces, at most 64 characters) or *, separated by commas' })
  PARTICIPATING_PLANS: string[] = ['*'];
}
