import { randomUUID } from 'node:crypto';
import { buildAck, buildNakForUnparseable, Hl7ErrorCode, Hl7ParseError, type AckCode, type AcknowledgmentCondition, type Hl7Message } from '@sc/hl7';
import type { IngestError } from '../errors/ingest-error';
import { hl7RefusalFor } from '../errors/ingest-error.hl7';

/**
 * Original mode: one acknowledgment (AA/AE/AR) after the commit. Enhanced mode (HL7 v2 2.9.3):
 * a commit acknowledgment (CA/CE/CR) as MSH-15 asks, then, as MSH-16 asks, an application
 * acknowledgment (AA/AE/AR), a message of its own.
 */
export type AckMode =
  | { readonly kind: 'original' }
  | { readonly kind: 'enhanced'; readonly accept: AcknowledgmentCondition; readonly application: AcknowledgmentCondition };

export const ORIGINAL_MODE: AckMode = Object.freeze({ kind: 'original' });

export interface AckHeader {
  readonly sendingFacility?: string;
  readonly acceptAckType?: string;
  readonly applicationAckType?: string;
}

const CONDITIONS: readonly string[] = ['AL', 'NE', 'ER', 'SU'];
const asCondition = (value: string | undefined): AcknowledgmentCondition | undefined =>
  value !== undefined && CONDITIONS.includes(value.toUpperCase()) ? (value.toUpperCase() as AcknowledgmentCondition) : undefined;

/**
 * Enhanced mode only for facilities that agreed to it (`enhancedFacilities`, `*` for all) and
 * only when the message fills MSH-15 or MSH-16, as the standard says. An empty MSH-15 then
 * counts as AL (a commit acknowledgment is always safe to send), an empty MSH-16 as NE.
 */
export function ackModeFor(header: AckHeader, enhancedFacilities: readonly string[]): AckMode {
  const agreed = enhancedFacilities.includes('*') || (header.sendingFacility !== undefined && enhancedFacilities.includes(header.sendingFacility));
  const accept = asCondition(header.acceptAckType);
  const application = asCondition(header.applicationAckType);
  if (!agreed || (accept === undefined && application === undefined)) {
    return ORIGINAL_MODE;
  }
  return { kind: 'enhanced', accept: accept ?? 'AL', application: application ?? 'NE' };
}

/** What we say back: `ack` is the original-mode or commit acknowledgment, `applicationAck` the enhanced-mode second message. */
export interface Acknowledgments {
  readonly ack: string | null;
  readonly applicationAck: string | null;
  /** MSA-1 of the decisive acknowledgment (the application one when both are sent), for metrics and callers. */
  readonly code: AckCode | null;
}

export type Verdict =
  | { readonly kind: 'accepted' }
  /** `kept`: the message is stored as a reject, so enhanced mode can commit-accept it and report the error at application level. */
  | { readonly kind: 'refused'; readonly error: IngestError; readonly kept: boolean };

/** 20 hex characters (MSH-10 allows 20 before v2.7); randomUUID draws from a cached pool, so it is cheap per message. */
const ackControlId = (): string => randomUUID().replace(/-/g, '').slice(0, 20);
const wants = (condition: AcknowledgmentCondition, success: boolean): boolean => condition === 'AL' || (success ? condition === 'SU' : condition === 'ER');
const APPLICATION_ACK_TYPES = { accept: 'NE', application: 'NE' } as const;

/**
 * Builds the acknowledgments of one message. `message` is the parsed message, or only its MSH
 * line when the rest did not parse, or undefined when not even that did (`rawText` then gives
 * what can still be read).
 */
export function acknowledge(message: Hl7Message | undefined, rawText: string, mode: AckMode, verdict: Verdict): Acknowledgments {
  const build = (code: AckCode, error?: IngestError, acknowledgmentTypes?: typeof APPLICATION_ACK_TYPES): string => {
    const refusal = error ? hl7RefusalFor(error) : undefined;
    if (message) {
      return buildAck(message, { code, controlId: ackControlId(), error: refusal?.error, acknowledgmentTypes });
    }
    // Not even MSH was readable (so this is a refusal): a NAK with safe defaults, naming what it can.
    const parseError = new Hl7ParseError(refusal?.error.code ?? Hl7ErrorCode.ApplicationInternalError, error?.hl7?.location ?? {});
    return buildNakForUnparseable(rawText, parseError, { code: code === 'AA' || code === 'CA' ? 'AR' : code, controlId: ackControlId(), diagnostic: error?.message });
  };

  if (mode.kind === 'original') {
    if (verdict.kind === 'accepted') {
      return { ack: build('AA'), applicationAck: null, code: 'AA' };
    }
    const { original } = hl7RefusalFor(verdict.error);
    return { ack: build(original, verdict.error), applicationAck: null, code: original };
  }

  if (verdict.kind === 'accepted') {
    const ack = wants(mode.accept, true) ? build('CA') : null;
    const applicationAck = wants(mode.application, true) ? build('AA', undefined, APPLICATION_ACK_TYPES) : null;
    return { ack, applicationAck, code: applicationAck ? 'AA' : 'CA' };
  }
  const refusal = hl7RefusalFor(verdict.error);
  if (refusal.level === 'application' && verdict.kept) {
    const ack = wants(mode.accept, true) ? build('CA') : null;
    const applicationAck = wants(mode.application, false) ? build(refusal.original, verdict.error, APPLICATION_ACK_TYPES) : null;
    return { ack, applicationAck, code: refusal.original };
  }
  return { ack: wants(mode.accept, false) ? build(refusal.commit, verdict.error) : null, applicationAck: null, code: refusal.commit };
}
