import { adtMessage, fixture, segment } from './__fixtures__/er7.factory';
import { readAdt } from './adt-reader';
import { parseHl7 } from './message';
import { maskSsn } from './phi';

describe(maskSsn.name, () => {
  it('masks PID-19 in the A03 fixture and changes nothing else', () => {
    const raw = fixture('jason-a03-discharge');

    const masked = maskSsn(raw);

    expect(masked).not.toContain('123-45-6789');
    expect(masked).toBe(raw.replace('|123-45-6789\r', '|***-**-****\r'));
  });

  it('leaves a message that still parses and reads the same', () => {
    const raw = fixture('jason-a03-discharge');

    const masked = parseHl7(maskSsn(raw));

    expect(masked.get('PID-19')).toBe('***-**-****');
    expect(readAdt(masked)).toEqual(readAdt(parseHl7(raw)));
  });

  it('masks the ID of PID-3 repetitions typed SS and keeps their other components', () => {
    const masked = maskSsn(adtMessage({ pid: { 3: 'MRN1^^^LGH^MR~123456789^^^SSA^SS~987654321^^^SSA^ss' } }));

    expect(parseHl7(masked).segment('PID')?.field(3).encode(parseHl7(masked).delimiters)).toBe('MRN1^^^LGH^MR~***-**-****^^^SSA^SS~***-**-****^^^SSA^ss');
  });

  it('masks every value of PID-19 but keeps its delimiters, empty parts and the HL7 null', () => {
    expect(parseHl7(maskSsn(adtMessage({ pid: { 19: '123&45^^6789~""' } }))).segment('PID')?.field(19).encode(parseHl7(adtMessage()).delimiters)).toBe(
      '***-**-****&***-**-****^^***-**-****~""',
    );
  });

  it('masks prior SSN identifiers of a merge and the SSN fields of other segments', () => {
    const masked = maskSsn(
      adtMessage({
        segments: [segment('MRG', { 1: '111223333^^^SSA^SS~OLD^^^LGH^MR' }), segment('NK1', { 1: '1', 37: '444556666' }), segment('GT1', { 1: '1', 12: '777889999' })],
      }),
    );

    expect(masked).not.toMatch(/111223333|444556666|777889999/);
    expect(parseHl7(masked).get('MRG-1(2).1')).toBe('OLD');
  });

  it('keeps line endings byte for byte', () => {
    const raw = adtMessage({ pid: { 19: '123-45-6789' } }).replace(/\r/g, '\r\n');

    expect(maskSsn(raw)).toBe(raw.replace('123-45-6789', '***-**-****'));
  });

  it('escapes the mask when the message uses * or - as delimiters', () => {
    const pid = ['PID', '1', '', 'MRN----MR', '', 'DOE', ...Array<string>(13).fill(''), '123456789'];
    const raw = `MSH*-~\\&*APP\r${pid.join('*')}\r`;

    const masked = parseHl7(maskSsn(raw));

    expect(masked.get('PID-19')).toBe('***-**-****');
    expect(masked.get('PID-3.5')).toBe('MR');
  });

  it('is idempotent and never throws, even on text that is not HL7', () => {
    const once = maskSsn(fixture('jason-a01-admit'));

    expect(maskSsn(once)).toBe(once);
    expect(maskSsn('PID|1||||||||||||||||||123-45-6789')).toBe('PID|1||||||||||||||||||***-**-****');
    expect(maskSsn('')).toBe('');
  });
});
