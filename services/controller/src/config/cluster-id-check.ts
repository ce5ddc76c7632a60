/**
 * Start-up check that this node's directory belongs to the quorum it is about to join: any
 * reachable voter that reports another cluster id means the directory was formatted for a
 * different cluster, and the node refuses to start. Unreachable voters prove nothing (the
 * whole quorum may be starting); peers also refuse Raft traffic across cluster ids.
 */
import { MetaPropertiesError } from '@sluice/runtime';
import { ControllerClient } from '../client/controller-client';

export async function checkQuorumClusterId(
  nodeId: number,
  clusterId: string,
  voters: ReadonlyMap<number, string>,
  timeoutMs = 1_000,
): Promise<void> {
  const others = [...voters].filter(([id]) => id !== nodeId);
  if (others.length === 0) return;
  const client = new ControllerClient(
    others.map(([, address]) => address),
    { timeoutMs, attemptTimeoutMs: timeoutMs, retryBackoffMs: 0 },
  );
  try {
    const answers = await Promise.all(
      others.map(async ([id, address]) => {
        try {
          return {
            id,
            address,
            answer: await client.callNode(address, 'DescribeCluster', {}, timeoutMs),
          };
        } catch {
          return { id, address, answer: undefined };
        }
      }),
    );
    for (const { id, address, answer } of answers) {
      if (answer !== undefined && answer.clusterId !== '' && answer.clusterId !== clusterId) {
        throw new MetaPropertiesError(
          'INCONSISTENT_CLUSTER_ID',
          `voter ${id} at ${address} belongs to cluster ${answer.clusterId}, but this node's metadata directory was formatted for cluster ${clusterId}; refusing to start`,
        );
      }
    }
  } finally {
    client.close();
  }
}
