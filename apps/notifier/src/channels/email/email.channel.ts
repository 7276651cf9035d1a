import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@sc/platform';
import type { NotifierConfig } from '../../config';
import type { ClaimedDelivery } from '../../deliveries/delivery-queue.repository';
import type { SendResult } from '../../deliveries/retry-policy';
import { parseRecipientKey } from '../../notifications/recipient-key';
import { RecipientRepository } from '../../recipients/recipient.repository';
import { absoluteLink, type OutboundSender } from '../outbound-channel';
import { composeNotificationEmail } from './notification-email';
import { SmtpError, sendMail, type SmtpOptions } from './smtp-client';

@Injectable()
export class EmailChannel implements OutboundSender {
  private readonly smtp: SmtpOptions | undefined;

  constructor(
    private readonly recipients: RecipientRepository,
    @Inject(SERVICE_CONFIG) private readonly config: NotifierConfig,
  ) {
    this.smtp = config.SMTP_HOST
      ? {
          host: config.SMTP_HOST,
          port: config.SMTP_PORT,
          tls: config.SMTP_TLS,
          user: config.SMTP_USER,
          password: config.SMTP_PASSWORD,
          ca: config.SMTP_TLS_CA,
          timeoutMs: config.SMTP_TIMEOUT_MS,
          clientName: config.SMTP_FROM.split('@')[1] ?? 'localhost',
        }
      : undefined;
  }

  get available(): boolean {
    return this.smtp !== undefined;
  }

  async send(delivery: ClaimedDelivery): Promise<SendResult> {
    if (!this.smtp) {
      return { kind: 'failed', code: 'EMAIL_CHANNEL_UNAVAILABLE', retryable: false };
    }
    const { id: recipientId } = parseRecipientKey(delivery.recipient);
    const address = await this.recipients.emailOf(recipientId);
    if (!address) {
      return { kind: 'failed', code: 'NO_EMAIL_ADDRESS', retryable: false };
    }
    const message = composeNotificationEmail({
      from: this.config.SMTP_FROM,
      to: address,
      messageId: `${delivery.notificationId}.${recipientId}@synchronized-care`,
      date: new Date(),
      title: delivery.title,
      urgency: delivery.urgency,
      dueAt: delivery.dueAt,
      link: absoluteLink(this.config.LINK_BASE_URL, delivery.link),
    });
    try {
      await sendMail(this.smtp, { from: this.config.SMTP_FROM, to: [address] }, message);
      return { kind: 'delivered' };
    } catch (error) {
      if (error instanceof SmtpError) {
        return { kind: 'failed', code: `SMTP_${error.replyCode ?? error.step.toUpperCase()}`, retryable: !error.permanent };
      }
      throw error;
    }
  }
}
