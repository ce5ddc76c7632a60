/**
 * ShareConsumer rules that need no broker: configuration checks, explicit-only acknowledge(), and
 * the share group membership's life cycle. Fetching and acknowledging against brokers is in
 * services/broker/test/share-consumer.component.test.ts.
 */
import { ApiError } from '@sluice/protocol';
import { ShareConsumer, type ShareConsumerRecord, type ShareGroupMembershipLike } from '../src/share-consumer';

function membership(): ShareGroupMembershipLike & { started: number; closed: number } {
  const m = {
    memberId: 'member-1',
    started: 0,
    closed: 0,
    assignment: () => [],
    start: () => void m.started++,
    close: () => {
      m.closed++;
      return Promise.resolve();
    },
  };
  return m;
}

const record: ShareConsumerRecord = {
  topic: 't',
  partition: 0,
  offset: 0,
  timestamp: 0,
  timestampType: 'CreateTime',
  leaderEpoch: 0,
  key: null,
  value: null,
  headers: [],
  deliveryCount: 1,
};

describe('ShareConsumer', () => {
  it.each([
    [{ groupId: '' }, /group.id/],
    [{ membership: undefined }, /coordinators/],
    [{ acknowledgementMode: 'sometimes' }, /share.acknowledgement.mode/],
    [{ maxPollRecords: 0 }, /max.poll.records/],
  ])('refuses %j with INVALID_CONFIG', (override, message) => {
    const options = {
      bootstrap: '127.0.0.1:1',
      groupId: 'g',
      membership: membership(),
      ...override,
    } as ConstructorParameters<typeof ShareConsumer>[0];
    let error: unknown;
    try {
      new ShareConsumer(options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ errorName: 'INVALID_CONFIG', message: expect.stringMatching(message) });
  });

  it('starts and closes the membership, and refuses use after close', async () => {
    const m = membership();
    const consumer = new ShareConsumer({ bootstrap: '127.0.0.1:1', groupId: 'g', membership: m });
    expect(m.started).toBe(1);
    expect(consumer.memberId).toBe('member-1');
    expect(await consumer.poll(0)).toEqual([]);
    await consumer.close();
    expect(m.closed).toBe(1);
    await expect(consumer.poll(0)).rejects.toMatchObject({ errorName: 'INVALID_REQUEST' });
  });

  it('acknowledge() needs explicit mode and a record of the last poll', async () => {
    const implicit = new ShareConsumer({ bootstrap: '127.0.0.1:1', groupId: 'g', membership: membership() });
    expect(() => implicit.acknowledge(record, 'ACCEPT')).toThrow(/explicit/);
    await implicit.close();
    const explicit = new ShareConsumer({
      bootstrap: '127.0.0.1:1',
      groupId: 'g',
      membership: membership(),
      acknowledgementMode: 'explicit',
    });
    expect(() => explicit.acknowledge(record, 'ACCEPT')).toThrow(/not returned by the last poll/);
    expect(() => explicit.acknowledge(record, 'MAYBE' as 'ACCEPT')).toThrow(/not ACCEPT, RELEASE or REJECT/);
    await explicit.close();
  });
});
