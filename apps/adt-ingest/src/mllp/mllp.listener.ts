import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type tls from 'node:tls';
import { MllpServer, type MllpServerStats } from '@sc/mllp';
import { MetricsRegistry, SpanKind, createLogger, withSpan } from '@sc/observability';
import { SERVICE_CONFIG } from '@sc/platform';
import type { AdtIngestConfig } from '../config';
import { IngestService } from '../ingest/ingest.service';

/** TLS (and mutual TLS) settings from the validated config; undefined serves plain MLLP. */
export function mllpTlsOptions(config: AdtIngestConfig): tls.TlsOptions | undefined {
  if (config.MLLP_TLS_CERT === undefined || config.MLLP_TLS_KEY === undefined) {
    return undefined;
  }
  const requireClientCert = config.MLLP_TLS_REQUIRE_CLIENT_CERT === 'true';
  return {
    cert: config.MLLP_TLS_CERT,
    key: config.MLLP_TLS_KEY,
    ...(config.MLLP_TLS_CA === undefined ? {} : { ca: config.MLLP_TLS_CA }),
    requestCert: requireClientCert,
    rejectUnauthorized: requireClientCert,
    minVersion: 'TLSv1.2',
  };
}

/** MLLP transport: frames in, acknowledgments out (enhanced mode: the application ACK follows the commit ACK on the same connection); everything else is IngestService's. */
@Injectable()
export class MllpListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = createLogger(MllpListener.name);
  private server: MllpServer | undefined;
  private readonly ackSeconds;

  constructor(
    private readonly ingest: IngestService,
    @Inject(SERVICE_CONFIG) private readonly config: AdtIngestConfig,
    @Inject(MetricsRegistry) metrics: MetricsRegistry,
  ) {
    this.ackSeconds = metrics.histogram('sc_ingest_ack_seconds', 'Time from a frame to its acknowledgment over MLLP, by disposition.');
  }

  async onApplicationBootstrap(): Promise<void> {
    const tlsOptions = mllpTlsOptions(this.config);
    this.server = new MllpServer((frame) => this.receive(frame), {
      host: this.config.MLLP_HOST,
      port: this.config.MLLP_PORT,
      tls: tlsOptions,
      maxFrameBytes: this.config.MLLP_MAX_FRAME_BYTES,
      idleTimeoutMs: this.config.MLLP_IDLE_TIMEOUT_MS,
      maxConnections: this.config.MLLP_MAX_CONNECTIONS,
      maxConcurrentFrames: this.config.MLLP_PIPELINE_DEPTH,
      maxQueuedFrames: Math.max(16, this.config.MLLP_PIPELINE_DEPTH * 2),
      onError: (error, context) => this.logger.warn({ err: error, phase: context.phase, connectionId: context.connectionId }, 'MLLP connection error'),
    });
    await this.server.listen();
    this.logger.info(
      { host: this.config.MLLP_HOST, port: this.server.port, tls: tlsOptions !== undefined, mutualTls: tlsOptions?.requestCert === true },
      'MLLP listening',
    );
  }

  /**
   * One span per message (the root of the discharge's trace, continued through Kafka to the
   * notification) and its ACK latency by disposition.
   */
  private receive(frame: Buffer): Promise<string[]> {
    const stop = this.ackSeconds.startTimer();
    return withSpan('MLLP receive', { kind: SpanKind.Server, attributes: { 'network.transport': 'tcp', 'hl7.transport': 'mllp' } }, async (span) => {
      const result = await this.ingest.receive(frame, 'mllp');
      span.setAttribute('hl7.disposition', result.disposition);
      stop({ disposition: result.disposition });
      return result.acks;
    });
  }

  /** The bound port (MLLP_PORT=0 picks a free one). */
  get port(): number | undefined {
    return this.server?.port;
  }

  get stats(): MllpServerStats | undefined {
    return this.server?.stats;
  }

  /** Stops intake before anything else shuts down; in-flight frames are stored and answered first. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.server?.close();
    await this.ingest.drained();
  }
}
