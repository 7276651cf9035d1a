import { WebhookTargetError, webhookTargetPolicy } from '../channels/webhook/webhook-target';
import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@sc/platform';
import type { NotifierConfig } from '../config';
import { circuitState } from '../channels/webhook/circuit-breaker';
import { WebhookEndpointRepository, type WebhookEndpoint } from '../channels/webhook/webhook-endpoint.repository';
import { NotifierError, NotifierErrorCode } from '../errors/notifier.error';
import { DEFAULT_PREFERENCES } from '../notifications/delivery-plan';
import type { PreferencesDto, RecipientQueryDto, RecipientUpsertDto, WebhookEndpointDto } from './recipient.dto';
import { RecipientRepository, type RecipientRecord } from './recipient.repository';
import type { PreferencesView, RecipientView, WebhookEndpointView } from './recipient.views';

const toRecipientView = (record: RecipientRecord): RecipientView => ({
  id: record.id,
  displayName: record.displayName,
  roles: record.roles,
  teams: record.teams,
  active: record.active,
  createdAt: record.createdAt.toISOString(),
  updatedAt: record.updatedAt.toISOString(),
});

@Injectable()
export class RecipientService {
  constructor(
    private readonly recipients: RecipientRepository,
    private readonly webhooks: WebhookEndpointRepository,
    @Inject(SERVICE_CONFIG) private readonly config: NotifierConfig,
  ) {}

  async upsert(id: string, dto: RecipientUpsertDto): Promise<RecipientView> {
    const record = await this.recipients.upsert({ id, displayName: dto.displayName ?? null, roles: dto.roles, teams: dto.teams, active: dto.active ?? true });
    return toRecipientView(record);
  }

  async get(id: string): Promise<RecipientView> {
    return toRecipientView(await this.existing(id));
  }

  async list(query: RecipientQueryDto): Promise<RecipientView[]> {
    return (await this.recipients.list(query)).map(toRecipientView);
  }

  /** Replaces the person's channel choices; each chosen channel must be able to reach them. */
  async setPreferences(id: string, dto: PreferencesDto): Promise<PreferencesView> {
    await this.existing(id);
    if (dto.channels.includes('email')) {
      if (!this.config.SMTP_HOST) {
        throw new NotifierError(NotifierErrorCode.EmailChannelUnavailable, 'the email channel is not configured (SMTP_HOST)');
      }
      if (!dto.email) {
        throw new NotifierError(NotifierErrorCode.EmailAddressRequired, 'channels include email but no email address was given');
      }
    }
    if (dto.channels.includes('webhook') && !(await this.webhooks.find(id))) {
      throw new NotifierError(NotifierErrorCode.WebhookEndpointRequired, 'channels include webhook; register it first with PUT .../webhook');
    }
    await this.recipients.upsertPreferences({ recipientId: id, channels: dto.channels, email: dto.email ?? null, quietHours: dto.quietHours ?? null });
    return this.getPreferences(id);
  }

  async getPreferences(id: string): Promise<PreferencesView> {
    await this.existing(id);
    const [preferences, endpoint] = await Promise.all([this.recipients.findPreferences(id), this.webhooks.find(id)]);
    return {
      recipientId: id,
      channels: [...(preferences?.channels ?? DEFAULT_PREFERENCES.channels)],
      email: preferences?.email ?? null,
      quietHours: preferences?.quietHours ?? null,
      webhook: endpoint ? this.toWebhookView(endpoint) : null,
      updatedAt: preferences?.updatedAt.toISOString() ?? null,
    };
  }

  async setWebhook(id: string, dto: WebhookEndpointDto): Promise<WebhookEndpointView> {
    await this.existing(id);
    try {
      await webhookTargetPolicy(this.config).checkUrl(dto.url);
    } catch (error) {
      if (error instanceof WebhookTargetError) {
        throw new NotifierError(NotifierErrorCode.WebhookUrlNotAllowed, error.message);
      }
      throw error;
    }
    return this.toWebhookView(await this.webhooks.upsert(id, dto.url, dto.secret));
  }

  private toWebhookView(endpoint: WebhookEndpoint): WebhookEndpointView {
    const policy = { threshold: this.config.WEBHOOK_CIRCUIT_THRESHOLD, openMs: this.config.WEBHOOK_CIRCUIT_OPEN_MS };
    return {
      url: endpoint.url,
      circuit: circuitState(endpoint, new Date(), policy),
      consecutiveFailures: endpoint.consecutiveFailures,
      openUntil: endpoint.openUntil?.toISOString() ?? null,
      updatedAt: endpoint.updatedAt.toISOString(),
    };
  }

  private async existing(id: string): Promise<RecipientRecord> {
    const record = await this.recipients.find(id);
    if (!record) {
      throw new NotifierError(NotifierErrorCode.RecipientNotFound, `recipient ${id} not found`);
    }
    return record;
  }
}
