import { OffsetCommitter } from './offset-committer';

describe(OffsetCommitter.name, () => {
  const at = { now: 0 };
  let committed: Array<Array<{ topic: string; partition: number; offset: string }>>;
  let committer: OffsetCommitter;

  beforeEach(() => {
    at.now = 10_000;
    committed = [];
    committer = new OffsetCommitter(async (offsets) => void committed.push(offsets), 1000, () => at.now);
  });

  it('commits a partition at most once per interval, the newest handled offset', async () => {
    committer.handled({ topic: 't', partition: 0, offset: '5' });
    await committer.commitDue();
    committer.handled({ topic: 't', partition: 0, offset: '9' });
    await committer.commitDue();
    at.now += 1000;
    await committer.commitDue();
    expect(committed).toEqual([[{ topic: 't', partition: 0, offset: '5' }], [{ topic: 't', partition: 0, offset: '9' }]]);
  });

  it('commits everything waiting when asked for all', async () => {
    committer.handled({ topic: 't', partition: 0, offset: '5' });
    await committer.commitDue();
    committer.handled({ topic: 't', partition: 0, offset: '6' });
    committer.handled({ topic: 't', partition: 1, offset: '2' });
    await committer.commitAll();
    expect(committed[1]).toEqual([
      { topic: 't', partition: 0, offset: '6' },
      { topic: 't', partition: 1, offset: '2' },
    ]);
  });

  it('forgets the offsets of partitions given to another member', async () => {
    committer.handled({ topic: 't', partition: 0, offset: '5' });
    committer.handled({ topic: 't', partition: 1, offset: '7' });
    committer.keepOnly([{ topic: 't', partition: 1 }]);
    await committer.commitAll();
    expect(committed).toEqual([[{ topic: 't', partition: 1, offset: '7' }]]);
  });

  it('keeps an offset whose commit failed for the next commit, unless a newer one replaced it', async () => {
    let fail = true;
    committer = new OffsetCommitter(
      async (offsets) => {
        if (fail) {
          throw new Error('coordinator unavailable');
        }
        committed.push(offsets);
      },
      1000,
      () => at.now,
    );
    committer.handled({ topic: 't', partition: 0, offset: '5' });
    committer.handled({ topic: 't', partition: 1, offset: '3' });
    const failed = committer.commitAll();
    committer.handled({ topic: 't', partition: 0, offset: '8' });
    await expect(failed).rejects.toThrow('coordinator unavailable');
    fail = false;
    await committer.commitAll();
    expect(committed).toEqual([
      [
        { topic: 't', partition: 0, offset: '8' },
        { topic: 't', partition: 1, offset: '3' },
      ],
    ]);
  });
});
