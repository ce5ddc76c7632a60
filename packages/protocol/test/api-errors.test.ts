import { API_ERRORS, ApiError, apiErrorNameForCode, isApiErrorName } from '@sluice/protocol';

describe('API errors', () => {
  it('codes are unique and map back to their names', () => {
    const codes = Object.values(API_ERRORS).map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(apiErrorNameForCode(6)).toBe('NOT_LEADER_OR_FOLLOWER');
    expect(apiErrorNameForCode(41)).toBe('NOT_CONTROLLER');
    expect(apiErrorNameForCode(9999)).toBe('UNKNOWN_SERVER_ERROR');
    expect(isApiErrorName('NOT_ENOUGH_REPLICAS')).toBe(true);
    expect(isApiErrorName('toString')).toBe(false);
  });

  it('ApiError carries name, Kafka code, retriability and detail', () => {
    const error = new ApiError('NOT_CONTROLLER', 'controller 2 is the leader', { leaderAddress: '127.0.0.1:9093' });
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('NOT_CONTROLLER: controller 2 is the leader');
    expect(error.code).toBe(41);
    expect(error.retriable).toBe(true);
    expect(error.detail.leaderAddress).toBe('127.0.0.1:9093');
    expect(new ApiError('TOPIC_ALREADY_EXISTS', 'x').retriable).toBe(false);
  });
});
