import { describeLag } from './consumer-lag';

describe(describeLag.name, () => {
  it('lists the partitions that are behind, biggest lag first, without the run prefix', () => {
    const lags = [
      { topic: 'run1.care.encounters.v1', partition: 0, lag: 3 },
      { topic: 'run1.care.encounters.v1', partition: 1, lag: 0 },
      { topic: 'run1.care.pharmacy.v1', partition: 4, lag: 40 },
    ];
    expect(describeLag(lags, 'run1.')).toBe('care.pharmacy.v1/4=40 care.encounters.v1/0=3');
  });

  it('says none when every partition is read to the end', () => {
    expect(describeLag([{ topic: 't', partition: 0, lag: 0 }], '')).toBe('none');
  });
});
