import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ownersBySql, type OwnerResolver, type ResourceOwners } from '@sc/security';

/**
 * A patient (pseudonymous subject) belongs to the teams that work them here: the teams of their
 * gaps and of the pharmacy tasks care-gap learnt of. A subject no team works is unknown to
 * team-scoped callers, so another team cannot read or change their sensitive-category consents.
 */
@Injectable()
export class SubjectOwners implements OwnerResolver {
  constructor(private readonly dataSource: DataSource) {}

  ownersOf(subject: string): Promise<ResourceOwners | undefined> {
    return ownersBySql(
      this.dataSource,
      `SELECT team_id AS team FROM care_gaps WHERE subject = $1
        UNION SELECT team_id FROM pharmacy_tasks WHERE subject = $1`,
      subject,
      false,
    );
  }
}

@Injectable()
export class GapOwners implements OwnerResolver {
  constructor(private readonly dataSource: DataSource) {}

  ownersOf(id: string): Promise<ResourceOwners | undefined> {
    return ownersBySql(this.dataSource, `SELECT team_id AS team FROM care_gaps WHERE id = $1`, id);
  }
}
