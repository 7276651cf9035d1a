import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ReferralError, ReferralErrorCode } from '../errors/referral-error';
import { toQueueStatsView, type QueueStatsView } from '../queues/queue.views';
import { ReferralRepository, type ReferralFilter } from './referral.repository';
import { toHistoryView, toReferralView, type ReferralDetailView, type ReferralView } from './referral.views';

/** Read side: worklists, one referral with its history, and the supervisor's queue figures. */
@Injectable()
export class ReferralQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly referrals: ReferralRepository,
  ) {}

  async list(filter: ReferralFilter): Promise<ReferralView[]> {
    return (await this.referrals.find(filter)).map(toReferralView);
  }

  async get(referralId: string): Promise<ReferralDetailView> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const referral = await this.referrals.findById(manager, referralId);
      if (!referral) {
        throw new ReferralError(ReferralErrorCode.ReferralNotFound, `referral ${referralId} not found`);
      }
      const history = await this.referrals.history(manager, referralId);
      return { ...toReferralView(referral), history: history.map(toHistoryView) };
    });
  }

  async queueStats(teamId: string | null): Promise<QueueStatsView[]> {
    const now = new Date();
    return (await this.referrals.queueStats(teamId)).map((stats) => toQueueStatsView(stats, now));
  }
}
