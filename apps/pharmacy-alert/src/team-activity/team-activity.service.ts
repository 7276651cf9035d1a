import { Injectable } from '@nestjs/common';
import type { EnvelopeOf, EventEnvelope } from '@sc/contracts';
import { UnitOfWork } from '@sc/persistence';
import { RosterRepository } from '../roster/roster.repository';
import { TimelineRepository, type TimelineEntry } from '../timeline/timeline.repository';

/** Other teams' events that go on the shared timeline. */
export const TEAM_ACTIVITY_TYPES = ['care-gap.opened', 'care-gap.updated', 'care-gap.closed', 'referral.created', 'referral.status-changed'] as const;

export type TeamActivityEvent = EnvelopeOf<(typeof TEAM_ACTIVITY_TYPES)[number]>;

export const isTeamActivity = (event: EventEnvelope): event is TeamActivityEvent => (TEAM_ACTIVITY_TYPES as readonly string[]).includes(event.type);

/** The timeline line for another team's event: fixed phrases with codes, never free text. */
export function timelineLine(event: TeamActivityEvent): Pick<TimelineEntry, 'team' | 'kind' | 'actorId' | 'summary' | 'itemId'> {
  switch (event.type) {
    case 'care-gap.opened':
      return {
        team: 'care-gap',
        kind: event.type,
        actorId: event.data.actorId,
        summary: `Care gap found: ${event.data.gapType} (${event.data.item.system} ${event.data.item.code}), coverage ${event.data.coverage.determination}`,
        itemId: event.data.gapId,
      };
    case 'care-gap.updated':
      return { team: 'care-gap', kind: event.type, actorId: event.data.actorId, summary: `Care gap ${event.data.gapType}: ${event.data.status}`, itemId: event.data.gapId };
    case 'care-gap.closed':
      return { team: 'care-gap', kind: event.type, actorId: event.data.actorId, summary: `Care gap ${event.data.gapType}: ${event.data.status}`, itemId: event.data.gapId };
    case 'referral.created':
      return { team: 'nursing', kind: event.type, actorId: event.data.actorId, summary: `Nurse referral created: ${event.data.referralType}`, itemId: event.data.referralId };
    case 'referral.status-changed':
      return {
        team: 'nursing',
        kind: event.type,
        actorId: event.data.actorId,
        summary: `Nurse referral ${event.data.referralType}: ${event.data.status}`,
        itemId: event.data.referralId,
      };
  }
}

/** Puts care-gap and nursing events on the shared timeline of the roster patient they concern. */
@Injectable()
export class TeamActivityService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly roster: RosterRepository,
    private readonly timeline: TimelineRepository,
  ) {}

  async record(event: TeamActivityEvent): Promise<void> {
    await this.unitOfWork.run(async (manager) => {
      const patientId = await this.roster.patientOfSubject(manager, event.subject);
      if (!patientId) {
        return;
      }
      await this.timeline.add(manager, { patientId, occurredAt: new Date(event.occurredAt), eventId: event.id, ...timelineLine(event) });
    });
  }
}
