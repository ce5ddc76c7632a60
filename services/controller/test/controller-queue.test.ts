import { ApiError } from '@sluice/protocol';
import type { MetadataImage, MetadataRecord } from '@sluice/metadata';
import { ControllerQueue, type Decision } from '../src/quorum/controller-queue';
import { MetadataStateMachine } from '../src/state/metadata-state-machine';
import { FakeQuorum } from './support/fake-quorum';

const ids = ['AAAAAAAAAAAAAAAAAAAAAQ', 'AAAAAAAAAAAAAAAAAAAAAg', 'AAAAAAAAAAAAAAAAAAAAAw', 'AAAAAAAAAAAAAAAAAAAABA'];

/** A decision in the style of the core: refuse a duplicate name, else write a Topic record. */
function createTopic(name: string, topicId: string) {
  return (image: MetadataImage): Decision<string> | ApiError => {
    if (image.topics.topicByName(name) !== undefined)
      return new ApiError('TOPIC_ALREADY_EXISTS', `topic ${name} exists`);
    const records: MetadataRecord[] = [{ type: 'Topic', name, topicId }];
    return { records, response: topicId, summary: `created ${name}` };
  };
}

function setup(leader: number | null = 1) {
  const sm = new MetadataStateMachine();
  const quorum = new FakeQuorum(1, sm, leader);
  const queue = new ControllerQueue(quorum, sm, {
    activationWaitMs: 500,
    maxPendingWrites: 100,
    clock: Date.now,
    addressOf: (id) => `127.0.0.1:${9000 + id}`,
  });
  return { sm, quorum, queue };
}

describe('ControllerQueue', () => {
  it('activates, then decides writes against in-flight records and answers after commit', async () => {
    const { sm, queue } = setup();
    const results = await Promise.allSettled([
      queue.write(createTopic('a', ids[0] as string)),
      queue.write(createTopic('a', ids[1] as string)),
      queue.write(createTopic('b', ids[2] as string)),
    ]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { response: ids[0], recordCount: 1 } });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { errorName: 'TOPIC_ALREADY_EXISTS' } });
    expect(results[2]).toMatchObject({ status: 'fulfilled' });
    expect(sm.image.topics.topicCount).toBe(2);
    queue.close();
  });

  it('a follower answers NOT_CONTROLLER naming the leader address', async () => {
    const { queue } = setup(2);
    await expect(queue.write(createTopic('a', ids[0] as string))).rejects.toMatchObject({
      errorName: 'NOT_CONTROLLER',
      detail: { leaderId: '2', leaderAddress: '127.0.0.1:9002' },
    });
    queue.close();
  });

  it('losing leadership fails in-flight writes and resets the speculative image', async () => {
    const { sm, quorum, queue } = setup();
    await queue.write(createTopic('a', ids[0] as string));
    quorum.failProposals = true;
    await expect(queue.write(createTopic('b', ids[1] as string))).rejects.toMatchObject({
      errorName: 'NOT_CONTROLLER',
    });
    quorum.failProposals = false;
    quorum.setLeader(3);
    quorum.setLeader(1);
    // b was never committed; it can be created after re-activation
    const outcome = await queue.write(createTopic('b', ids[3] as string));
    expect(outcome.response).toBe(ids[3]);
    expect(sm.image.topics.topicByName('b')?.topicId).toBe(ids[3]);
    queue.close();
  });

  it('holds reads on a leader until it has activated; followers read at once', async () => {
    const { quorum, queue } = setup(2);
    await queue.readBarrier(); // a follower: at once
    quorum.holdCommits = true;
    quorum.setLeader(1);
    let passed = false;
    const read = queue.readBarrier().then(() => {
      passed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(passed).toBe(false);
    quorum.releaseCommits();
    await read;
    expect(queue.isActive).toBe(true);
    // Leadership lost while a read waits for the next activation: NOT_CONTROLLER naming the leader.
    quorum.setLeader(3);
    quorum.setLeader(1);
    const waiting = queue.readBarrier();
    quorum.setLeader(2);
    await expect(waiting).rejects.toMatchObject({ errorName: 'NOT_CONTROLLER', detail: { leaderId: '2' } });
    quorum.holdCommits = false;
    quorum.releaseCommits();
    queue.close();
  });

  it('a decision with no records answers without writing', async () => {
    const { quorum, queue } = setup();
    const outcome = await queue.write(() => ({ records: [], response: 'same', summary: 'nothing' }));
    expect(outcome).toMatchObject({ response: 'same', offset: undefined });
    expect(quorum.proposed.length).toBe(1); // only the activation marker
    queue.close();
  });
});
