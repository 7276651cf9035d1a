import { Transform } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { FacilityTimeZonesConfig, commaList } from '@sc/config';

export class AdtIngestConfig extends FacilityTimeZonesConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  HTTP_PORT: number = 3001;

  @IsInt()
  @Min(0)
  @Max(65535)
  MLLP_PORT: number = 2575;

  /** Bind address of the MLLP listener; 0.0.0.0 (or ::) exposes it on every interface. */
  @IsString()
  @Matches(/^0\.0\.0\.0$|^127\.0\.0\.1$|^::$|^::1$|^[a-zA-Z0-9.:-]+$/)
  MLLP_HOST: string = '127.0.0.1';

  /**
   * Frames of one connection stored concurrently (they share transactions, keep their order, and
   * are answered in order) when a sender pipelines; one at a time for senders that wait for each ACK.
   */
  @IsInt()
  @Min(1)
  @Max(64)
  MLLP_PIPELINE_DEPTH: number = 16;

  /** Connections above this are refused at accept. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  MLLP_MAX_CONNECTIONS: number = 512;

  /**
   * PEM server certificate (chain) and key: set them, usually as MLLP_TLS_CERT_FILE /
   * MLLP_TLS_KEY_FILE naming mounted secret files, to serve MLLP over TLS.
   */
  @ValidateIf((config: AdtIngestConfig) => config.MLLP_TLS_CERT !== undefined || config.MLLP_TLS_KEY !== undefined || config.MLLP_TLS_REQUIRE_CLIENT_CERT === 'true')
  @IsDefined({ message: 'MLLP_TLS_CERT (or MLLP_TLS_CERT_FILE) is required with MLLP_TLS_KEY or MLLP_TLS_REQUIRE_CLIENT_CERT' })
  @Matches(/-----BEGIN CERTIFICATE-----/, { message: 'MLLP_TLS_CERT must be a PEM certificate' })
  MLLP_TLS_CERT?: string;

  @ValidateIf((config: AdtIngestConfig) => config.MLLP_TLS_CERT !== undefined || config.MLLP_TLS_KEY !== undefined)
  @IsDefined({ message: 'MLLP_TLS_KEY (or MLLP_TLS_KEY_FILE) is required with MLLP_TLS_CERT' })
  @Matches(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, { message: 'MLLP_TLS_KEY must be a PEM private key' })
  MLLP_TLS_KEY?: string;

  /** PEM certificate(s) of the CA that issues sender (client) certificates, for mutual TLS. */
  @ValidateIf((config: AdtIngestConfig) => config.MLLP_TLS_CA !== undefined || config.MLLP_TLS_REQUIRE_CLIENT_CERT === 'true')
  @IsDefined({ message: 'MLLP_TLS_CA (or MLLP_TLS_CA_FILE) is required with MLLP_TLS_REQUIRE_CLIENT_CERT' })
  @Matches(/-----BEGIN CERTIFICATE-----/, { message: 'MLLP_TLS_CA must be PEM certificates' })
  MLLP_TLS_CA?: string;

  /** Mutual TLS: refuse senders without a certificate issued by MLLP_TLS_CA. */
  @IsIn(['true', 'false'])
  MLLP_TLS_REQUIRE_CLIENT_CERT: string = 'false';

  /**
   * Sending facilities (MSH-4) whose MSH-15/MSH-16 are honoured (enhanced acknowledgment mode),
   * `*` for all. Others always get one original-mode acknowledgment (AA/AE/AR): many senders put
   * AL/NE in MSH-15/16 but expect AA, so enhanced mode is agreed per feed.
   */
  @Transform(commaList)
  @IsString({ each: true })
  ENHANCED_ACK_FACILITIES: string[] = [];

  /** Group commit: most messages in one transaction. */
  @IsInt()
  @Min(1)
  @Max(1000)
  INGEST_BATCH_MAX_MESSAGES: number = 200;

  /** Group commit: how long a message may wait for others to share its transaction (0: only those that arrive while a commit is in flight). */
  @IsInt()
  @Min(0)
  @Max(50)
  INGEST_BATCH_WINDOW_MS: number = 0;

  /** Group commit: transactions in flight at once. */
  @IsInt()
  @Min(1)
  @Max(32)
  INGEST_CONCURRENT_BATCHES: number = 2;

  /** Days the masked raw text of received messages and rejects is kept; then it is removed (the rest of the row stays). */
  @IsInt()
  @Min(1)
  @Max(3650)
  RAW_RETENTION_DAYS: number = 30;

  @IsInt()
  @Min(500)
  @Max(24 * 60 * 60 * 1000)
  RAW_PURGE_INTERVAL_MS: number = 60 * 60 * 1000;

  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  MLLP_MAX_FRAME_BYTES: number = 1024 * 1024;

  @IsInt()
  @Min(1000)
  @Max(24 * 60 * 60 * 1000)
  MLLP_IDLE_TIMEOUT_MS: number = 10 * 60 * 1000;

  /** MSH-11 this receiver works on: messages with another processing id are acknowledged but create no work. */
  @IsIn(['P', 'T', 'D'])
  RECEIVER_PROCESSING_ID: string = 'P';

  /**
   * Key of the HMAC that turns a patient identifier into the pseudonymous reference used as
   * event subject and Kafka key. Must be set (and secret) in production.
   */
  @ValidateIf((config: AdtIngestConfig) => config.NODE_ENV === 'production')
  @IsString()
  @MinLength(32)
  @Matches(/^(?!development-only-)/, { message: 'PATIENT_REF_KEY must be set to a secret in production' })
  PATIENT_REF_KEY: string = 'development-only-patient-reference-key';
}
