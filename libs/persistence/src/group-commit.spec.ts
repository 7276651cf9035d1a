import { GroupCommitter, type BatchTraits, type GroupCommitOptions } from './group-commit';

interface Item {
  readonly id: string;
  readonly locks?: string[];
  readonly solo?: boolean;
}

interface Deferred {
  readonly items: Item[];
  release(): void;
  fail(error: Error): void;
}

/** A committer whose batches finish when the test says so. */
function harness(options: Partial<GroupCommitOptions> = {}) {
  const batches: Deferred[] = [];
  const committer = new GroupCommitter<Item, string>(
    (items) =>
      new Promise<string[]>((resolve, reject) => {
        batches.push({ items, release: () => resolve(items.map((item) => `done:${item.id}`)), fail: reject });
      }),
    (item): BatchTraits => ({ locks: item.locks ?? [], solo: item.solo ?? false }),
    { maxBatch: 100, windowMs: 0, maxConcurrent: 1, ...options },
  );
  return { committer, batches };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const ids = (deferred: Deferred): string[] => deferred.items.map((item) => item.id);

describe(GroupCommitter.name, () => {
  it('commits what arrives in the same turn together and answers each submitter', async () => {
    const { committer, batches } = harness();

    const answers = [committer.submit({ id: 'a' }), committer.submit({ id: 'b' }), committer.submit({ id: 'c' })];
    await tick();
    batches[0].release();

    await expect(Promise.all(answers)).resolves.toEqual(['done:a', 'done:b', 'done:c']);
    expect(batches).toHaveLength(1);
  });

  it('puts what arrives during a commit into the next batch', async () => {
    const { committer, batches } = harness();

    const first = committer.submit({ id: 'a' });
    await tick();
    const later = [committer.submit({ id: 'b' }), committer.submit({ id: 'c' })];
    await tick();
    expect(batches).toHaveLength(1);
    batches[0].release();
    await first;
    await tick();

    expect(ids(batches[1])).toEqual(['b', 'c']);
    batches[1].release();
    await expect(Promise.all(later)).resolves.toEqual(['done:b', 'done:c']);
    expect(committer.stats).toMatchObject({ batches: 2, items: 3, largestBatch: 2 });
  });

  it('runs batches side by side up to the limit', async () => {
    const { committer, batches } = harness({ maxConcurrent: 2 });

    void committer.submit({ id: 'a' });
    await tick();
    void committer.submit({ id: 'b' });
    await tick();
    void committer.submit({ id: 'c' });
    await tick();

    expect(batches.map(ids)).toEqual([['a'], ['b']]);
    expect(committer.stats).toMatchObject({ inFlight: 2, waiting: 1 });
  });

  it('keeps items that share a key with a batch in flight, and everything behind them with that key, for later, in order', async () => {
    const { committer, batches } = harness({ maxConcurrent: 2 });

    void committer.submit({ id: 'a1', locks: ['enc:A'] });
    await tick();
    void committer.submit({ id: 'a2', locks: ['enc:A'] });
    void committer.submit({ id: 'b1', locks: ['enc:B'] });
    void committer.submit({ id: 'a3', locks: ['enc:A'] });
    await tick();

    expect(batches.map(ids)).toEqual([['a1'], ['b1']]);
    batches[0].release();
    await tick();
    await tick();
    expect(ids(batches[2])).toEqual(['a2', 'a3']);
  });

  it('commits a solo item in a batch of its own', async () => {
    const { committer, batches } = harness({ maxConcurrent: 1 });

    void committer.submit({ id: 'a' });
    void committer.submit({ id: 'merge', solo: true });
    void committer.submit({ id: 'b' });
    await tick();
    batches[0].release();
    await tick();
    await tick();

    expect(ids(batches[0])).toEqual(['a', 'b']);
    expect(ids(batches[1])).toEqual(['merge']);
  });

  it('caps the batch size', async () => {
    const { committer, batches } = harness({ maxBatch: 2, maxConcurrent: 3 });

    ['a', 'b', 'c', 'd', 'e'].forEach((id) => void committer.submit({ id }));
    await tick();

    expect(batches.map(ids)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('waits up to the window for more items when one is set', async () => {
    const { committer, batches } = harness({ windowMs: 20 });

    void committer.submit({ id: 'a' });
    await tick();
    expect(batches).toHaveLength(0);
    void committer.submit({ id: 'b' });
    await new Promise((resolve) => setTimeout(resolve, 30));

    expect(ids(batches[0])).toEqual(['a', 'b']);
  });

  it('fails every item of a batch whose commit fails, and carries on with the next', async () => {
    const { committer, batches } = harness();

    const failing = [committer.submit({ id: 'a' }), committer.submit({ id: 'b' })];
    await tick();
    batches[0].fail(new Error('database gone'));

    await expect(failing[0]).rejects.toThrow('database gone');
    await expect(failing[1]).rejects.toThrow('database gone');
    const next = committer.submit({ id: 'c' });
    await tick();
    batches[1].release();
    await expect(next).resolves.toBe('done:c');
  });

  it('tells when everything submitted is done', async () => {
    const { committer, batches } = harness();
    let drained = false;

    void committer.submit({ id: 'a' });
    void committer.drained().then(() => {
      drained = true;
    });
    await tick();
    expect(drained).toBe(false);
    batches[0].release();
    await tick();

    expect(drained).toBe(true);
  });
});
