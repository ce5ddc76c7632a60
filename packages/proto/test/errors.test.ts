import { status as GrpcStatus } from '@grpc/grpc-js';
import { ApiError } from '@sluice/protocol';
import { fromGrpcError, grpcStatusFor, toGrpcStatus } from '../src';

describe('error mapping without a network', () => {
  it('chooses gRPC statuses by Kafka name', () => {
    expect(grpcStatusFor('NOT_CONTROLLER')).toBe(GrpcStatus.UNAVAILABLE);
    expect(grpcStatusFor('UNKNOWN_TOPIC_OR_PARTITION')).toBe(GrpcStatus.NOT_FOUND);
    expect(grpcStatusFor('TOPIC_ALREADY_EXISTS')).toBe(GrpcStatus.ALREADY_EXISTS);
    expect(grpcStatusFor('INVALID_REPLICATION_FACTOR')).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(grpcStatusFor('STALE_BROKER_EPOCH')).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect(grpcStatusFor('REQUEST_TIMED_OUT')).toBe(GrpcStatus.DEADLINE_EXCEEDED);
  });

  it('round-trips every name through a status object', () => {
    for (const name of [
      'NOT_LEADER_OR_FOLLOWER',
      'FENCED_LEADER_EPOCH',
      'INVALID_CONFIG',
      'UNKNOWN_SERVER_ERROR',
    ] as const) {
      const status = toGrpcStatus(new ApiError(name, 'why', { leaderEpoch: '7' }));
      const back = fromGrpcError({ ...status, message: 'x' });
      expect([back.errorName, back.message, back.detail]).toEqual([name, `${name}: why`, { leaderEpoch: '7' }]);
    }
  });

  it('maps plain gRPC failures by status', () => {
    expect(fromGrpcError({ code: GrpcStatus.DEADLINE_EXCEEDED, details: 'late' }).errorName).toBe('REQUEST_TIMED_OUT');
    expect(fromGrpcError({ code: GrpcStatus.INTERNAL, details: 'boom' }).errorName).toBe('UNKNOWN_SERVER_ERROR');
  });
});
