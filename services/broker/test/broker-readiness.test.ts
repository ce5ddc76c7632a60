import { MetadataDelta, MetadataImage, NO_LEADER, type MetadataRecord, type PartitionRecord } from '@sluice/metadata';
import { brokerReadiness } from '../src/core/broker-readiness';

const TOPIC_ID = 'q1Sh-9_ISia_MbCI9kpKcg';

function imageOf(records: readonly MetadataRecord[]): MetadataImage {
  const delta = new MetadataDelta(MetadataImage.EMPTY);
  records.forEach((record, offset) => delta.replay(record, { offset, epoch: 1 }));
  return delta.apply();
}

function partition(partitionId: number, fields: Partial<PartitionRecord>): PartitionRecord {
  return {
    type: 'Partition',
    topicId: TOPIC_ID,
    partitionId,
    replicas: [1, 2, 3],
    isr: [1, 2, 3],
    leader: 1,
    leaderEpoch: 0,
    partitionEpoch: 0,
    ...fields,
  };
}

const LIVE = { registered: true, fenced: false };

describe('brokerReadiness', () => {
  it('is ready only when registered, unfenced and in the ISR of every partition it hosts', () => {
    const image = imageOf([
      { type: 'Topic', name: 'orders', topicId: TOPIC_ID },
      partition(0, {}),
      partition(1, { isr: [1, 2] }),
      partition(2, { replicas: [1, 2], isr: [1, 2] }),
    ]);
    expect(brokerReadiness(image, 1, LIVE)).toEqual({ ready: true, reason: '' });
    expect(brokerReadiness(image, 3, LIVE)).toEqual({
      ready: false,
      reason: 'not in the ISR of 1 partition (orders-1)',
    });
    expect(brokerReadiness(image, 1, { registered: false, fenced: true }).reason).toBe('not registered');
    expect(brokerReadiness(image, 1, { registered: true, fenced: true }).ready).toBe(false);
    // A broker hosting nothing (just scaled out) is ready once unfenced.
    expect(brokerReadiness(image, 4, LIVE).ready).toBe(true);
  });

  it('does not wait for leaderless partitions or replicas a reassignment is still adding', () => {
    const image = imageOf([
      { type: 'Topic', name: 'orders', topicId: TOPIC_ID },
      partition(0, { isr: [1], leader: NO_LEADER }),
      partition(1, {
        replicas: [1, 2, 4, 3],
        isr: [1, 2, 3],
        addingReplicas: [4],
        removingReplicas: [3],
      }),
      partition(2, { replicas: [4, 5, 6], isr: [5, 6], leader: 5 }),
    ]);
    // Partition 0 has no leader to add broker 2 back; partition 1's copy on 4 is not needed yet.
    expect(brokerReadiness(image, 2, LIVE).ready).toBe(true);
    expect(brokerReadiness(image, 4, LIVE)).toEqual({
      ready: false,
      reason: 'not in the ISR of 1 partition (orders-2)',
    });
  });
});
