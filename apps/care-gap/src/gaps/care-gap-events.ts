import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { createEnvelope, type CareGapData, type EventPayloads, type EventType } from '@sc/contracts';
import { Outbox } from '@sc/messaging';
import type { GapRecord } from './gap.repository';

export const SOURCE = 'care-gap';

/** What ties an emitted event to the patient, the episode and its cause. */
export interface EventCause {
  subject: string;
  correlationId: string;
  /** The event that caused this one; null when a person's action did. */
  causationId: string | null;
}

export function gapData(gap: GapRecord, actorId: string): CareGapData {
  return {
    gapId: gap.id,
    gapType: gap.gapType,
    ruleId: gap.explanation.ruleId,
    ruleVersion: gap.explanation.ruleVersion,
    severity: gap.severity,
    item: { system: gap.item.system, code: gap.item.code },
    recommendedAction: gap.recommendedAction,
    coverage: gap.coverage,
    status: gap.status,
    teamId: gap.teamId,
    explanation: gap.explanation,
    actorId,
  };
}

/** Appends this service's events to its outbox, inside the caller's transaction. */
@Injectable()
export class CareGapEvents {
  constructor(private readonly outbox: Outbox) {}

  async emit<T extends EventType>(manager: EntityManager, cause: EventCause, type: T, data: EventPayloads[T]): Promise<void> {
    await this.outbox.append(manager, createEnvelope(type, data, { source: SOURCE, occurredAt: new Date().toISOString(), ...cause }));
  }

  /**
   * Tells the gap's nurse team. The id is derived from the gap, so a replay never notifies twice;
   * the title is the rule's fixed, checked title: no diagnosis, no code, no condition name.
   */
  async notifyOpened(manager: EntityManager, cause: EventCause, gap: GapRecord): Promise<void> {
    await this.emit(manager, cause, 'notification.requested', {
      notificationId: `care-gap-opened-${gap.id}`,
      recipientId: null,
      teamId: gap.teamId,
      title: gap.notificationTitle,
      urgency: gap.severity === 'high' ? 'urgent' : 'routine',
      dueAt: null,
      link: `/v1/gaps/${gap.id}`,
      itemType: 'care-gap',
      itemId: gap.id,
    });
  }
}
