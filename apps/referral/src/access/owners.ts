import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ownersBySql, type OwnerResolver, type ResourceOwners } from '@sc/security';

/** A referral, its history and its briefing belong to the referral's team. */
@Injectable()
export class ReferralOwners implements OwnerResolver {
  constructor(private readonly dataSource: DataSource) {}

  ownersOf(id: string): Promise<ResourceOwners | undefined> {
    return ownersBySql(this.dataSource, `SELECT team_id AS team FROM referrals WHERE id = $1`, id);
  }
}
