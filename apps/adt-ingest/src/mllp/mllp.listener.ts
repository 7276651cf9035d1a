import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MllpServer } from '@sc/mllp';
import { createLogger } from '@sc/observability';
import { SERVICE_CONFIG } from '@sc/platform';
import type { AdtIngestConfig } from '../config';
import { IngestService } from '../ingest/ingest.service';

/** MLLP transport: frames in, ACKs out; everything else is IngestService's. */
@Injectable()
export class MllpListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = createLogger(MllpListener.name);
  private server: MllpServer | undefined;

  constructor(
    private readonly ingest: IngestService,
    @Inject(SERVICE_CONFIG) private readonly config: AdtIngestConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.server = new MllpServer(async (frame) => (await this.ingest.receive(frame, 'mllp')).ack, {
      host: this.config.MLLP_HOST,
      port: this.config.MLLP_PORT,
      maxFrameBytes: this.config.MLLP_MAX_FRAME_BYTES,
      idleTimeoutMs: this.config.MLLP_IDLE_TIMEOUT_MS,
      onError: (error, context) => this.logger.warn({ err: error, phase: context.phase }, 'MLLP connection error'),
    });
    await this.server.listen();
    this.logger.info({ host: this.config.MLLP_HOST, port: this.server.port }, 'MLLP listening');
  }

  /** Stops intake first; in-flight frames finish (and are answered) before connections close. */
  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }
}
