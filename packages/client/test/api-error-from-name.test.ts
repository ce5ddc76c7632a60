/**
 * apiErrorFromName: a broker's answer (an error name and a message) as the client's ApiError,
 * with the name once in its message, and unknown names kept visible under UNKNOWN_SERVER_ERROR.
 */
import { ApiError } from '@sluice/protocol';
import { apiErrorFromName } from '../src/errors';

describe('apiErrorFromName', () => {
  it("drops the broker's own NAME: prefix so the message names the error once", () => {
    const error = apiErrorFromName(
      'UNKNOWN_PRODUCER_ID',
      'UNKNOWN_PRODUCER_ID: producer 7 has no state on partition t-0',
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error.errorName).toBe('UNKNOWN_PRODUCER_ID');
    expect(error.message).toBe('UNKNOWN_PRODUCER_ID: producer 7 has no state on partition t-0');
  });

  it('keeps a message without the prefix, and gives the name when there is no message', () => {
    expect(apiErrorFromName('NOT_LEADER_OR_FOLLOWER', 'leader is 3').message).toBe(
      'NOT_LEADER_OR_FOLLOWER: leader is 3',
    );
    expect(apiErrorFromName('NOT_LEADER_OR_FOLLOWER', '').message).toBe(
      'NOT_LEADER_OR_FOLLOWER: NOT_LEADER_OR_FOLLOWER',
    );
  });

  it('answers an unknown name as UNKNOWN_SERVER_ERROR naming it', () => {
    const error = apiErrorFromName('NO_SUCH_ERROR', 'NO_SUCH_ERROR: what the broker said');
    expect(error.errorName).toBe('UNKNOWN_SERVER_ERROR');
    expect(error.message).toBe('UNKNOWN_SERVER_ERROR: NO_SUCH_ERROR: what the broker said');
  });
});
