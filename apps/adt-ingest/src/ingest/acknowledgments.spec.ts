import { Hl7ErrorCode, parseHl7, type AcknowledgmentCondition } from '@sc/hl7';
import { adt } from '../__fixtures__/adt-builder';
import { IngestError, IngestErrorCode } from '../errors/ingest-error';
import { acknowledge, ackModeFor, ORIGINAL_MODE, type AckMode, type Verdict } from './acknowledgments';

const message = parseHl7(adt({ trigger: 'A03', controlId: 'MSG-1' }));
const enhanced = (accept: AcknowledgmentCondition, application: AcknowledgmentCondition): AckMode => ({ kind: 'enhanced', accept, application });
const msa = (ack: string | null): string | undefined => (ack === null ? undefined : `${parseHl7(ack).get('MSA-1') ?? ''}:${parseHl7(ack).get('MSA-2') ?? ''}`);

const accepted: Verdict = { kind: 'accepted' };
const bodyError: Verdict = {
  kind: 'refused',
  kept: true,
  error: new IngestError(IngestErrorCode.MalformedMessage, 'PID-3 is required', { code: Hl7ErrorCode.RequiredFieldMissing, location: { segment: 'PID', sequence: 1, field: 3 } }),
};
const unsupported: Verdict = {
  kind: 'refused',
  kept: true,
  error: new IngestError(IngestErrorCode.UnsupportedMessage, 'unsupported version', { code: Hl7ErrorCode.UnsupportedVersionId, location: { segment: 'MSH', sequence: 1, field: 12 } }),
};
const unavailable: Verdict = { kind: 'refused', kept: false, error: new IngestError(IngestErrorCode.StorageUnavailable, 'resend') };

describe(acknowledge.name, () => {
  it('answers original mode with one AA after the commit', () => {
    const acks = acknowledge(message, '', ORIGINAL_MODE, accepted);

    expect([msa(acks.ack), acks.applicationAck, acks.code]).toEqual(['AA:MSG-1', null, 'AA']);
  });

  it('answers original mode with AE for a body error and AR for a refusal or a storage failure', () => {
    expect(msa(acknowledge(message, '', ORIGINAL_MODE, bodyError).ack)).toBe('AE:MSG-1');
    expect(msa(acknowledge(message, '', ORIGINAL_MODE, unsupported).ack)).toBe('AR:MSG-1');
    expect(msa(acknowledge(message, '', ORIGINAL_MODE, unavailable).ack)).toBe('AR:MSG-1');
  });

  it.each<[AcknowledgmentCondition, AcknowledgmentCondition, string | undefined, string | undefined]>([
    ['AL', 'AL', 'CA:MSG-1', 'AA:MSG-1'],
    ['AL', 'NE', 'CA:MSG-1', undefined],
    ['AL', 'SU', 'CA:MSG-1', 'AA:MSG-1'],
    ['AL', 'ER', 'CA:MSG-1', undefined],
    ['NE', 'AL', undefined, 'AA:MSG-1'],
    ['ER', 'AL', undefined, 'AA:MSG-1'],
    ['SU', 'NE', 'CA:MSG-1', undefined],
    ['NE', 'NE', undefined, undefined],
  ])('enhanced mode, MSH-15 %s / MSH-16 %s, accepted: commit %s, application %s', (accept, application, commit, app) => {
    const acks = acknowledge(message, '', enhanced(accept, application), accepted);

    expect([msa(acks.ack), msa(acks.applicationAck)]).toEqual([commit, app]);
  });

  it.each<[AcknowledgmentCondition, AcknowledgmentCondition, string | undefined, string | undefined]>([
    ['AL', 'AL', 'CA:MSG-1', 'AE:MSG-1'],
    ['AL', 'ER', 'CA:MSG-1', 'AE:MSG-1'],
    ['AL', 'SU', 'CA:MSG-1', undefined],
    ['ER', 'ER', undefined, 'AE:MSG-1'],
  ])('enhanced mode, MSH-15 %s / MSH-16 %s, a body error kept as a reject: commit %s, application %s', (accept, application, commit, app) => {
    const acks = acknowledge(message, '', enhanced(accept, application), bodyError);

    expect([msa(acks.ack), msa(acks.applicationAck)]).toEqual([commit, app]);
    expect(acks.code).toBe('AE');
  });

  it('rejects at commit level (CR) what it refuses outright, and sends no application acknowledgment', () => {
    const acks = acknowledge(message, '', enhanced('AL', 'AL'), unsupported);

    expect([msa(acks.ack), acks.applicationAck, acks.code]).toEqual(['CR:MSG-1', null, 'CR']);
    expect(parseHl7(acks.ack ?? '').get('ERR-3.1')).toBe('203');
  });

  it('answers CE when the message could not be stored, and nothing when MSH-15 asked only on success', () => {
    expect(msa(acknowledge(message, '', enhanced('AL', 'AL'), unavailable).ack)).toBe('CE:MSG-1');
    expect(msa(acknowledge(message, '', enhanced('ER', 'AL'), unavailable).ack)).toBe('CE:MSG-1');
    expect(acknowledge(message, '', enhanced('SU', 'AL'), unavailable).ack).toBeNull();
  });

  it('reports a body error at commit level (CE) when the reject could not be kept', () => {
    const acks = acknowledge(message, '', enhanced('AL', 'AL'), { ...bodyError, kept: false });

    expect([msa(acks.ack), acks.applicationAck]).toEqual(['CE:MSG-1', null]);
  });

  it('marks the application acknowledgment NE/NE so the sender does not acknowledge it back', () => {
    const application = parseHl7(acknowledge(message, '', enhanced('AL', 'AL'), accepted).applicationAck ?? '');

    expect([application.get('MSH-15'), application.get('MSH-16')]).toEqual(['NE', 'NE']);
  });

  it('answers text without a readable MSH with a default-addressed AR', () => {
    const acks = acknowledge(undefined, 'not hl7', ORIGINAL_MODE, unsupported);

    expect(parseHl7(acks.ack ?? '').get('MSA-1')).toBe('AR');
  });
});

describe(ackModeFor.name, () => {
  it('counts an empty MSH-15 as AL and an empty MSH-16 as NE', () => {
    expect(ackModeFor({ sendingFacility: 'ENH', applicationAckType: 'AL' }, ['ENH'])).toEqual(enhanced('AL', 'AL'));
    expect(ackModeFor({ sendingFacility: 'ENH', acceptAckType: 'ER' }, ['ENH'])).toEqual(enhanced('ER', 'NE'));
  });

  it('honours MSH-15/16 of every facility with *', () => {
    expect(ackModeFor({ sendingFacility: 'ANY', acceptAckType: 'AL', applicationAckType: 'AL' }, ['*']).kind).toBe('enhanced');
  });
});
