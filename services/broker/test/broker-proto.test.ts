import { serviceDefinition } from '@sluice/proto';

describe('proto/sluice/v1/broker.proto', () => {
  it('loads and defines the Broker service with bytes records on the data path', () => {
    const definition = serviceDefinition('Broker');
    expect(Object.keys(definition).sort()).toEqual([
      'DescribeLogDirs',
      'Fetch',
      'FetchRecords',
      'FetchStream',
      'InitProducerId',
      'ListOffsets',
      'Metadata',
      'OffsetForLeaderEpoch',
      'Produce',
      'ProduceRecords',
      'ProduceStream',
      'ReplicaFetchStream',
      'ShareAcknowledge',
      'ShareFetch',
    ]);
    const produce = definition.Produce;
    const encoded = produce.requestSerialize({
      acks: -1,
      timeoutMs: 1000,
      topics: [{ name: 't', partitions: [{ partition: 0, records: Buffer.from([1, 2, 3]) }] }],
    });
    const decoded = produce.requestDeserialize(encoded);
    expect(Buffer.isBuffer(decoded.topics[0]!.partitions[0]!.records)).toBe(true);
    expect([...decoded.topics[0]!.partitions[0]!.records]).toEqual([1, 2, 3]);
  });

  it('defines ReplicaFetchStream as a bidirectional stream of correlated follower Fetch requests and answers', () => {
    const stream = serviceDefinition('Broker').ReplicaFetchStream;
    expect([stream.requestStream, stream.responseStream]).toEqual([true, true]);
    const request = stream.requestDeserialize(
      stream.requestSerialize({ correlationId: 3, request: { replicaId: 2, topics: [{ name: 't', partitions: [] }] } }),
    );
    expect([Number(request.correlationId), request.request!.replicaId, request.request!.topics[0]!.name]).toEqual([
      3,
      2,
      't',
    ]);
    const answer = stream.responseDeserialize(
      stream.responseSerialize({ correlationId: 3, errorName: 'INVALID_REQUEST', errorMessage: 'no request' }),
    );
    expect([Number(answer.correlationId), answer.errorName, answer.response]).toEqual([3, 'INVALID_REQUEST', null]);
  });

  it('defines FetchStream as a bidirectional stream of correlated consumer Fetch requests and answers', () => {
    const stream = serviceDefinition('Broker').FetchStream;
    expect([stream.requestStream, stream.responseStream]).toEqual([true, true]);
    const request = stream.requestDeserialize(
      stream.requestSerialize({
        correlationId: 5,
        request: { replicaId: -1, topics: [{ name: 't', partitions: [] }] },
      }),
    );
    expect([Number(request.correlationId), request.request!.replicaId, request.request!.topics[0]!.name]).toEqual([
      5,
      -1,
      't',
    ]);
    // The answer is laid out as ReplicaFetchStreamResponse: the same encoder serves both.
    const message = { correlationId: 5, errorName: 'TOPIC_AUTHORIZATION_FAILED', errorMessage: 'no READ' };
    const bytes = stream.responseSerialize(message);
    expect(bytes.equals(serviceDefinition('Broker').ReplicaFetchStream.responseSerialize(message))).toBe(true);
    const answer = stream.responseDeserialize(bytes);
    expect([Number(answer.correlationId), answer.errorName, answer.response]).toEqual([
      5,
      'TOPIC_AUTHORIZATION_FAILED',
      null,
    ]);
  });

  it('defines ProduceStream as a bidirectional stream of correlated Produce requests and answers', () => {
    const stream = serviceDefinition('Broker').ProduceStream;
    expect([stream.requestStream, stream.responseStream]).toEqual([true, true]);
    const request = stream.requestDeserialize(
      stream.requestSerialize({
        correlationId: 7,
        request: {
          acks: -1,
          timeoutMs: 1000,
          topics: [{ name: 't', partitions: [{ partition: 0, records: Buffer.from([9]) }] }],
        },
      }),
    );
    expect(Number(request.correlationId)).toBe(7);
    expect([...request.request!.topics[0]!.partitions[0]!.records]).toEqual([9]);
    const answer = stream.responseDeserialize(
      stream.responseSerialize({
        correlationId: 7,
        response: null,
        errorName: 'INVALID_REQUIRED_ACKS',
        errorMessage: 'bad acks',
      }),
    );
    expect([Number(answer.correlationId), answer.response, answer.errorName]).toEqual([
      7,
      null,
      'INVALID_REQUIRED_ACKS',
    ]);
  });
});
