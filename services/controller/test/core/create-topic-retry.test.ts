/**
 * The race behind a flaky e2e: a client's CreateTopics commits, its answer is lost (attempt
 * timeout, leader change), and the client sends the same request again. Replayed here step by
 * step on the pure core: the retry of the committed create must answer success with the same
 * topic, and only the request's own topic may turn a TOPIC_ALREADY_EXISTS into a success.
 */
import { ZERO_UUID } from '@sluice/metadata';
import { randomUuid, seededRng, type CreatableTopic } from '../../src/core';
import { Harness, sameImage } from './harness';

const CLIENT_ID = randomUuid(seededRng(7));
const OTHER_ID = randomUuid(seededRng(8));

describe('a CreateTopics retried after its first attempt committed', () => {
  const request: CreatableTopic = {
    name: 'orders',
    numPartitions: 3,
    replicationFactor: 2,
    configs: { 'retention.ms': '60000' },
    topicId: CLIENT_ID,
  };

  it('answers success with the committed topic and writes nothing more', () => {
    const h = new Harness().brokers(3);
    // Attempt 1: decided and committed; the client never hears the answer.
    const first = h.core.createTopics(h.image, [request]);
    expect(first.response.topics[0]).toMatchObject({ name: 'orders', topicId: CLIENT_ID, numPartitions: 3 });
    h.commit(first);
    const committed = h.image;
    // Attempt 2, the same request, possibly at another leader: it finds its own topic.
    const retry = h.core.createTopics(h.image, [request]);
    expect(retry.records).toEqual([]);
    const [answer] = retry.response.topics;
    expect(answer?.error).toBeUndefined();
    expect(answer).toEqual({
      name: 'orders',
      topicId: CLIENT_ID,
      numPartitions: 3,
      replicationFactor: 2,
      assignments: first.response.topics[0]?.assignments,
    });
    expect(retry.summary).toBe('createTopics: already created by an earlier attempt of this request: orders');
    h.commit(retry);
    expect(h.image.topics.topicByName('orders')).toBe(committed.topics.topicByName('orders'));
  });

  it('still answers TOPIC_ALREADY_EXISTS for a create that is not the one that made the topic', () => {
    const h = new Harness().brokers(3);
    h.commit(h.core.createTopics(h.image, [request]));
    const cases: [CreatableTopic, RegExp][] = [
      [{ ...request, topicId: undefined }, /^TOPIC_ALREADY_EXISTS: topic orders already exists$/],
      [{ ...request, topicId: OTHER_ID }, /^TOPIC_ALREADY_EXISTS: topic orders already exists$/],
      [{ ...request, numPartitions: 4 }, /3 partitions, asked 4/],
      [{ ...request, replicationFactor: 3 }, /replication factor 2, asked 3/],
      [{ ...request, configs: { 'retention.ms': '1000' } }, /retention\.ms=60000, asked 1000/],
    ];
    for (const [topic, message] of cases) {
      const { topicId, ...rest } = topic;
      const result = h.core.createTopics(h.image, [topicId === undefined ? rest : topic]);
      expect(result.records).toEqual([]);
      expect(result.response.topics[0]?.error).toMatchObject({ errorName: 'TOPIC_ALREADY_EXISTS' });
      expect(result.response.topics[0]?.error?.message).toMatch(message);
    }
  });

  it('checks manual assignments replica by replica', () => {
    const h = new Harness().brokers(3);
    const manual: CreatableTopic = {
      name: 'placed',
      assignments: [
        [0, 1],
        [1, 2],
      ],
      topicId: CLIENT_ID,
    };
    h.commit(h.core.createTopics(h.image, [manual]));
    expect(h.core.createTopics(h.image, [manual]).response.topics[0]?.error).toBeUndefined();
    const moved = h.core.createTopics(h.image, [
      {
        ...manual,
        assignments: [
          [0, 1],
          [2, 1],
        ],
      },
    ]);
    expect(moved.response.topics[0]?.error?.message).toMatch(/partition 1 on \[1,2\], asked \[2,1\]/);
  });

  it('refuses a topic id that is not a Uuid, repeats in the request or names another topic', () => {
    const h = new Harness().brokers(3);
    h.commit(h.core.createTopics(h.image, [request]));
    const before = h.image;
    const result = h.core.createTopics(h.image, [
      { name: 'short-id', numPartitions: 1, replicationFactor: 1, topicId: 'abc' },
      { name: 'zero-id', numPartitions: 1, replicationFactor: 1, topicId: ZERO_UUID },
      { name: 'metadata-id', numPartitions: 1, replicationFactor: 1, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' },
      { name: 'twice-a', numPartitions: 1, replicationFactor: 1, topicId: OTHER_ID },
      { name: 'twice-b', numPartitions: 1, replicationFactor: 1, topicId: OTHER_ID },
      { name: 'stolen-id', numPartitions: 1, replicationFactor: 1, topicId: CLIENT_ID },
    ]);
    expect(result.records).toEqual([]);
    expect(result.response.topics.map((topic) => [topic.name, topic.error?.errorName])).toEqual([
      ['short-id', 'INVALID_REQUEST'],
      ['zero-id', 'INVALID_REQUEST'],
      ['metadata-id', 'INVALID_REQUEST'],
      ['twice-a', 'INVALID_REQUEST'],
      ['twice-b', 'INVALID_REQUEST'],
      ['stolen-id', 'INVALID_REQUEST'],
    ]);
    expect(result.response.topics[5]?.error?.message).toBe(
      `INVALID_REQUEST: topic id ${CLIENT_ID} already names topic orders`,
    );
    h.commit(result);
    expect(sameImage(h.image, before)).toBe(true);
  });

  it('uses the chosen id for the new topic, and draws none that another topic of the request chose', () => {
    const h = new Harness().brokers(3);
    const result = h.core.createTopics(h.image, [
      { name: 'drawn', numPartitions: 1, replicationFactor: 1 },
      { name: 'chosen', numPartitions: 1, replicationFactor: 1, topicId: CLIENT_ID },
    ]);
    h.commit(result);
    expect(h.image.topics.topicByName('chosen')?.topicId).toBe(CLIENT_ID);
    expect(h.image.topics.topicByName('drawn')?.topicId).not.toBe(CLIENT_ID);
  });
});
