import { HttpStatus } from '@nestjs/common';
import { Hl7ErrorCode, Hl7ParseError } from '@sc/hl7';
import { IngestError, IngestErrorCode } from './ingest-error';
import { httpStatusFor } from './ingest-error.filter';
import { hl7RefusalFor } from './ingest-error.hl7';

describe(IngestError.name, () => {
  it('classifies parse errors: 200-203 are unsupported messages, the rest malformed ones', () => {
    expect(IngestError.fromParseError(new Hl7ParseError(Hl7ErrorCode.UnsupportedVersionId, { segment: 'MSH', field: 12 })).code).toBe(IngestErrorCode.UnsupportedMessage);
    expect(IngestError.fromParseError(new Hl7ParseError(Hl7ErrorCode.RequiredFieldMissing, { segment: 'PID', field: 3 })).code).toBe(IngestErrorCode.MalformedMessage);
  });

  it('maps every code to one HL7 answer and one HTTP status', () => {
    for (const code of Object.values(IngestErrorCode)) {
      expect(['AE', 'AR']).toContain(hl7RefusalFor(new IngestError(code, 'x')).original);
      expect(httpStatusFor(code)).toBeGreaterThanOrEqual(400);
    }
  });

  it('answers a body error AE at application level and an MSH error AR at commit level', () => {
    const body = IngestError.fromParseError(new Hl7ParseError(Hl7ErrorCode.DataTypeError, { segment: 'PV1', field: 45 }));
    const header = IngestError.fromParseError(new Hl7ParseError(Hl7ErrorCode.DataTypeError, { segment: 'MSH', field: 7 }));

    expect(hl7RefusalFor(body)).toMatchObject({ original: 'AE', level: 'application', error: { segment: 'PV1', field: 45, code: 102 } });
    expect(hl7RefusalFor(header)).toMatchObject({ original: 'AR', level: 'commit', commit: 'CR' });
  });

  it('tells the sender to resend (CE) when storage is unavailable, and HTTP callers 503', () => {
    expect(hl7RefusalFor(new IngestError(IngestErrorCode.StorageUnavailable, 'resend'))).toMatchObject({ original: 'AR', commit: 'CE', error: { code: 207 } });
    expect(httpStatusFor(IngestErrorCode.StorageUnavailable)).toBe(HttpStatus.SERVICE_UNAVAILABLE);
    expect(httpStatusFor(IngestErrorCode.ControlIdConflict)).toBe(HttpStatus.CONFLICT);
  });
});
