/**
 * The coordinator's readiness decision: not before the paired broker's metadata was read and
 * has both internal topics, not while an owned partition is still loading; the reason names the
 * loading partitions, at most five.
 */
import { coordinatorReadiness } from '../src/core/coordinator-readiness';

const loaded = { metadataRead: true, knowsInternalTopics: true, loading: [] };

describe('coordinatorReadiness', () => {
  it('is ready once the metadata is read, has both topics and nothing owned is loading', () => {
    expect(coordinatorReadiness(loaded)).toEqual({ ready: true, reason: '' });
  });

  it('is not ready without the paired broker metadata, whatever else holds', () => {
    expect(coordinatorReadiness({ ...loaded, metadataRead: false })).toEqual({
      ready: false,
      reason: 'paired broker metadata not read',
    });
  });

  it('is not ready while the internal topics are missing from the metadata', () => {
    expect(coordinatorReadiness({ ...loaded, knowsInternalTopics: false })).toEqual({
      ready: false,
      reason: 'internal topics not in the metadata yet',
    });
  });

  it('is not ready while one owned partition is loading, and names it', () => {
    expect(coordinatorReadiness({ ...loaded, loading: ['__consumer_offsets-3'] })).toEqual({
      ready: false,
      reason: 'loading 1 partition (__consumer_offsets-3)',
    });
  });

  it('names at most five loading partitions and counts them all', () => {
    const loading = Array.from({ length: 7 }, (_, p) => `__share_group_state-${p}`);
    const readiness = coordinatorReadiness({ ...loaded, loading });
    expect(readiness.ready).toBe(false);
    expect(readiness.reason).toBe(
      'loading 7 partitions (__share_group_state-0, __share_group_state-1, __share_group_state-2, __share_group_state-3, __share_group_state-4, ...)',
    );
  });
});
