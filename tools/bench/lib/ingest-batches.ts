/** adt-ingest's group-commit histogram (/metrics): messages stored so far (`sum`) and the transactions that stored them (`count`). */
export async function ingestBatchStats(metricsUrl: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(metricsUrl)).text();
  const value = (name: string): number => Number(text.split('\n').find((line) => line.startsWith(`${name} `))?.split(' ')[1] ?? 0);
  return { sum: value('sc_ingest_batch_size_sum'), count: value('sc_ingest_batch_size_count') };
}
