import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { createLogger } from '@sc/observability';
import { SecretKeyring } from '../../secrets/secret-keyring';
import { WebhookEndpointRepository } from './webhook-endpoint.repository';

/**
 * At boot, seals webhook secrets still in plain text (stored before encryption, or by an older
 * instance during a rolling upgrade) and re-seals those under a previous key, so a rotation
 * finishes with the restart that introduces the new key. Rows it cannot open are reported by key
 * id; their sends fail (retryably) until the missing key is configured again.
 */
@Injectable()
export class WebhookSecretSealer implements OnApplicationBootstrap {
  private readonly logger = createLogger(WebhookSecretSealer.name);

  constructor(
    private readonly endpoints: WebhookEndpointRepository,
    private readonly keyring: SecretKeyring,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const report = await this.endpoints.sealStale();
      const unreadable = Object.values(report.unreadable).reduce((sum, count) => sum + count, 0);
      if (unreadable > 0) {
        this.logger.error(
          { currentKeyId: this.keyring.currentKeyId, unreadableByKeyId: report.unreadable },
          'webhook secrets sealed under keys this instance does not hold; add the key to NOTIFIER_SECRET_PREVIOUS_KEYS',
        );
      }
      this.logger.info({ currentKeyId: this.keyring.currentKeyId, sealed: report.sealed, unreadable }, 'webhook secrets checked');
    } catch (error) {
      // Not fatal: a stale row is also re-sealed on its first send.
      this.logger.warn({ err: error }, 'webhook secret sealing at boot failed; rows are sealed on first use');
    }
  }
}
