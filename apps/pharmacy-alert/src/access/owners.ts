import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ownersBySql, type OwnerResolver, type ResourceOwners } from '@sc/security';

/** A task belongs to its patient's team. */
@Injectable()
export class TaskOwners implements OwnerResolver {
  constructor(private readonly dataSource: DataSource) {}

  ownersOf(id: string): Promise<ResourceOwners | undefined> {
    return ownersBySql(this.dataSource, `SELECT team_id AS team FROM tasks WHERE id = $1`, id);
  }
}

/** A roster patient belongs to their team. */
@Injectable()
export class PatientOwners implements OwnerResolver {
  constructor(private readonly dataSource: DataSource) {}

  ownersOf(id: string): Promise<ResourceOwners | undefined> {
    return ownersBySql(this.dataSource, `SELECT team_id AS team FROM patients WHERE id = $1`, id);
  }
}

/** An identity review is seen by the teams of the patients it proposes. */
@Injectable()
export class IdentityReviewOwners implements OwnerResolver {
  constructor(private readonly dataSource: DataSource) {}

  ownersOf(id: string): Promise<ResourceOwners | undefined> {
    return ownersBySql(
      this.dataSource,
      `SELECT p.team_id AS team
         FROM identity_reviews r
         LEFT JOIN LATERAL jsonb_array_elements(r.candidates) c ON true
         LEFT JOIN patients p ON p.id = (c->>'patientId')::uuid
        WHERE r.id = $1`,
      id,
    );
  }
}
