/**
 * The controller's readiness decision from the Raft state: a voter with a known leader that
 * reached it within the silence bound and whose applied offset is within the lag bound of that
 * leader's commit; the leader itself is ready; each refusal says why.
 */
import { SLUICE_CONFIG_SCHEMA } from '@sluice/runtime';
import {
  controllerReadiness,
  DEFAULT_CONTROLLER_READINESS_LIMITS,
  type ControllerRaftState,
} from '../../src/core/controller-readiness';

const limits = { maxLagOffsets: 10, maxLeaderSilenceMs: 1_000 };
const NOW_MS = 1_000_000;
const caughtUp: ControllerRaftState = {
  nodeId: 2,
  isVoter: true,
  leaderId: 1,
  leaderCommitOffset: 500,
  appliedOffset: 500,
  lastLeaderContactMs: NOW_MS - 50,
  nowMs: NOW_MS,
};

describe('controllerReadiness', () => {
  it('is ready as a caught-up follower that heard from its leader recently', () => {
    expect(controllerReadiness(caughtUp, limits)).toEqual({ ready: true, reason: '' });
  });

  it('allows a lag up to the bound and refuses one past it', () => {
    expect(controllerReadiness({ ...caughtUp, appliedOffset: 490 }, limits).ready).toBe(true);
    expect(controllerReadiness({ ...caughtUp, appliedOffset: 489 }, limits)).toEqual({
      ready: false,
      reason: "applied offset 489 is 11 behind leader 1's commit 500 (bound 10)",
    });
  });

  it('with a zero lag bound wants the leader commit applied exactly', () => {
    const strict = { ...limits, maxLagOffsets: 0 };
    expect(controllerReadiness(caughtUp, strict).ready).toBe(true);
    expect(controllerReadiness({ ...caughtUp, appliedOffset: 499 }, strict).ready).toBe(false);
  });

  it('is not ready without a known leader, even fully applied', () => {
    expect(controllerReadiness({ ...caughtUp, leaderId: null }, limits)).toEqual({
      ready: false,
      reason: 'no known quorum leader',
    });
  });

  it('is not ready when not a voter', () => {
    expect(controllerReadiness({ ...caughtUp, isVoter: false }, limits)).toEqual({
      ready: false,
      reason: 'not a voter of the quorum',
    });
  });

  it('is not ready before the leader reached it, or when the leader has been silent past the bound', () => {
    expect(controllerReadiness({ ...caughtUp, lastLeaderContactMs: null }, limits)).toEqual({
      ready: false,
      reason: 'no message from leader 1 yet',
    });
    expect(controllerReadiness({ ...caughtUp, lastLeaderContactMs: NOW_MS - 1_000 }, limits).ready).toBe(true);
    expect(controllerReadiness({ ...caughtUp, lastLeaderContactMs: NOW_MS - 1_001 }, limits)).toEqual({
      ready: false,
      reason: 'leader 1 silent for 1001 ms (bound 1000 ms)',
    });
  });

  it('is ready as the leader, whatever a follower-side input says', () => {
    expect(
      controllerReadiness(
        { ...caughtUp, leaderId: 2, lastLeaderContactMs: null, leaderCommitOffset: 900, appliedOffset: 0 },
        limits,
      ),
    ).toEqual({ ready: true, reason: '' });
  });

  it("defaults to the configuration's defaults", () => {
    expect(DEFAULT_CONTROLLER_READINESS_LIMITS).toEqual({
      maxLagOffsets: SLUICE_CONFIG_SCHEMA['controller.readiness.max.lag.offsets'].defaultValue,
      maxLeaderSilenceMs: SLUICE_CONFIG_SCHEMA['controller.readiness.leader.silence.max.ms'].defaultValue,
    });
  });
});
