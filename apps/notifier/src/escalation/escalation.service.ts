import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { createEnvelope } from '@sc/contracts';
import { Outbox } from '@sc/messaging';
import { createLogger } from '@sc/observability';
import { DeliveryDispatch } from '../notifications/delivery-dispatch';
import type { CreatedDeliveries } from '../notifications/delivery.repository';
import { NotificationRepository, type NotificationRecord } from '../notifications/notification.repository';
import { ReceiptRepository } from '../notifications/receipt.repository';
import { parseRecipientKey, recipientKey } from '../notifications/recipient-key';
import { RecipientRepository } from '../recipients/recipient.repository';
import { escalationNotificationId } from './escalation-id';
import { escalationTargets } from './escalation-targets';
import { TimerRepository, type TimerRecord } from './timer.repository';

export const NOTIFIER_SOURCE = 'notifier';

export type EscalationOutcome = { kind: 'cancelled' } | { kind: 'escalated'; escalationId: string; created: CreatedDeliveries };

@Injectable()
export class EscalationService {
  private readonly logger = createLogger(EscalationService.name);

  constructor(
    private readonly notifications: NotificationRepository,
    private readonly receipts: ReceiptRepository,
    private readonly recipients: RecipientRepository,
    private readonly timers: TimerRepository,
    private readonly dispatch: DeliveryDispatch,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Fires a due escalation timer inside the caller's transaction (which holds the timer's row
   * lock): if nobody acknowledged the notification, one urgent escalation notification goes to
   * the escalation targets and `notification.escalated` is appended to the outbox.
   */
  async fire(manager: EntityManager, timer: TimerRecord): Promise<EscalationOutcome> {
    const requested = await this.notifications.find(timer.notificationId, manager);
    if (!requested?.escalation || (await this.receipts.isAcknowledged(manager, requested.id))) {
      await this.timers.settle(manager, timer.id, 'cancelled');
      return { kind: 'cancelled' };
    }
    const original = recipientKey(requested.recipientId, requested.teamId);
    if (!original) {
      await this.timers.settle(manager, timer.id, 'cancelled');
      return { kind: 'cancelled' };
    }
    const members = requested.escalation.toTeamLead ? await this.recipients.teamMembers(manager, await this.teamsOf(manager, requested)) : [];
    const targets = escalationTargets(original, requested.escalation, members);
    const escalationId = escalationNotificationId(requested.id);
    const now = new Date();
    const stored = await this.notifications.insert(manager, {
      ...requested,
      id: escalationId,
      title: `Escalated: ${requested.title}`,
      urgency: 'urgent',
      recipientId: null,
      escalationOf: requested.id,
      escalation: null,
      // The escalation's own deliveries are timed from its firing, not from the original request.
      requestedAt: now,
    });
    // Stored already (the timer fired before and its transaction lost the race): its deliveries exist too, and are not made again.
    const escalation = stored ?? (await this.notifications.find(escalationId, manager));
    if (!escalation) {
      throw new Error(`escalation ${escalationId} neither stored nor found`);
    }
    const created = await this.dispatch.create(manager, escalation, targets, now);
    await this.outbox.append(
      manager,
      createEnvelope(
        'notification.escalated',
        {
          notificationId: requested.id,
          escalationNotificationId: escalationId,
          targets: targets.map(parseRecipientKey).map((key) => ({
            recipientId: key.kind === 'user' ? key.id : null,
            teamId: key.kind === 'team' ? key.id : null,
          })),
          escalatedAt: now.toISOString(),
          itemType: requested.itemType,
          itemId: requested.itemId,
        },
        {
          source: NOTIFIER_SOURCE,
          subject: requested.subject ?? `notification:${requested.id}`,
          occurredAt: now.toISOString(),
          correlationId: requested.correlationId,
          causationId: requested.sourceEventId,
        },
      ),
    );
    await this.timers.settle(manager, timer.id, 'fired');
    this.logger.info({ notificationId: requested.id, escalationId, targets: targets.length }, 'notification escalated');
    return { kind: 'escalated', escalationId, created };
  }

  private async teamsOf(manager: EntityManager, requested: NotificationRecord): Promise<string[]> {
    if (requested.teamId) {
      return [requested.teamId];
    }
    return requested.recipientId ? this.recipients.teamsOf(manager, requested.recipientId) : [];
  }
}
