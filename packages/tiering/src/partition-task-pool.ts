/**
 * The broker's copier pool (Kafka's `remote.log.manager.copier.thread.pool.size`): one pass runs
 * the tiering tasks of the partitions a broker leads, at most `poolSize` at once, so one
 * partition's copy no longer waits for every partition before it (a broker leading several busy
 * partitions drains them together). Each partition is in the map once, so a pass never runs two
 * tasks of one partition at a time: a partition's remote segments and metadata records keep the
 * order its one task gives them. A task's own failures are the caller's to catch (backoff per
 * partition); one that escapes is thrown after every other task of the pass has ended.
 */
export async function runPartitionTasks<T>(
  partitions: ReadonlyMap<string, T>,
  poolSize: number,
  task: (key: string, partition: T) => Promise<void>,
  stopped: () => boolean = () => false,
): Promise<void> {
  if (!(Number.isSafeInteger(poolSize) && poolSize >= 1))
    throw new RangeError(`copier pool size ${poolSize} must be an integer >= 1`);
  const queue = partitions.entries();
  // Workers share one iterator: each takes the next partition when its last task ends.
  const worker = async (): Promise<void> => {
    for (let next = queue.next(); !next.done && !stopped(); next = queue.next()) {
      const [key, partition] = next.value;
      await task(key, partition);
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(poolSize, partitions.size) }, () => worker()));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
