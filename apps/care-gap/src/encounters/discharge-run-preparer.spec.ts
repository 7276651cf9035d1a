import type { EventEnvelope } from '@sc/contracts';
import { dischargesToPrepare } from './discharge-run-preparer';

const event = (id: string, type: string, subject: string): EventEnvelope => ({ id, type, subject }) as unknown as EventEnvelope;

describe(dischargesToPrepare.name, () => {
  const always = (): boolean => true;

  it('takes each discharge whose patient no other event of the run names', () => {
    const run = [event('1', 'encounter.discharged', 'pt-a'), event('2', 'encounter.discharged', 'pt-b')];
    expect(dischargesToPrepare(run, always).map((prepared) => prepared.id)).toEqual(['1', '2']);
  });

  it('leaves a patient named twice in the run to its handlers, whatever the other event is', () => {
    const run = [
      event('1', 'encounter.discharged', 'pt-twice'),
      event('2', 'encounter.discharged', 'pt-twice'),
      event('3', 'pharmacy.device-flagged', 'pt-flagged'),
      event('4', 'encounter.discharged', 'pt-flagged'),
      event('5', 'encounter.discharged', 'pt-alone'),
    ];
    expect(dischargesToPrepare(run, always).map((prepared) => prepared.id)).toEqual(['5']);
  });

  it('skips other event types and discharges the consumer handled before', () => {
    const run = [event('1', 'encounter.updated', 'pt-a'), event('2', 'encounter.discharged', 'pt-b'), event('3', 'encounter.discharged', 'pt-c')];
    expect(dischargesToPrepare(run, (candidate) => candidate.id !== '3').map((prepared) => prepared.id)).toEqual(['2']);
  });
});
