/** Kafka's group partition: Utils.abs(groupId.hashCode()) % partitions, with Java's String.hashCode. */
export function groupPartition(groupId: string, partitionCount: number): number {
  if (!Number.isInteger(partitionCount) || partitionCount < 1)
    throw new RangeError(`partition count ${partitionCount} must be >= 1`);
  let hash = 0;
  for (let i = 0; i < groupId.length; i++) hash = (Math.imul(31, hash) + groupId.charCodeAt(i)) | 0;
  return (hash & 0x7fffffff) % partitionCount;
}
