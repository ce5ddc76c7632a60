import { runCli } from '../src';
import { ExitCode, UsageError } from '../src/exit-codes';
import { MAX_THROTTLED_LIST_CHARS, parseThrottleRate, throttleConfigs } from '../src/reassign-throttle';

describe('sluice topic reassign --throttle: what it sets', () => {
  it('leader lists on the replicas before the move, follower lists on those added, rates on every broker involved', () => {
    const plan = {
      version: 1 as const,
      partitions: [
        { topic: 'orders', partition: 0, replicas: [4, 2, 3] },
        { topic: 'orders', partition: 1, replicas: [2, 3, 4] },
        { topic: 'audit', partition: 0, replicas: [1, 2] },
      ],
    };
    const current = [
      { topic: 'orders', partition: 0, replicas: [1, 2, 3] },
      { topic: 'orders', partition: 1, replicas: [3, 2, 1] },
      { topic: 'orders', partition: 2, replicas: [1, 2, 3] },
      { topic: 'audit', partition: 0, replicas: [1, 2] },
    ];
    const configs = throttleConfigs(plan, current, []);
    expect(Object.fromEntries(configs.topics)).toEqual({
      orders: { leader: '0:1,0:2,0:3,1:1,1:2,1:3', follower: '0:4,1:4' },
      audit: { leader: '0:1,0:2', follower: '' },
    });
    expect(configs.brokers).toEqual([1, 2, 3, 4]);
  });

  it('on a running reassignment, the replicas being added are not taken for the original ones', () => {
    const plan = { version: 1 as const, partitions: [{ topic: 't', partition: 0, replicas: [4, 5] }] };
    // During the move the replica set is target + original.
    const current = [{ topic: 't', partition: 0, replicas: [4, 5, 1, 2] }];
    const ongoing = [
      { topic: 't', partition: 0, replicas: [4, 5, 1, 2], addingReplicas: [4, 5], removingReplicas: [1, 2] },
    ];
    const configs = throttleConfigs(plan, current, ongoing);
    expect(configs.topics.get('t')).toEqual({ leader: '0:1,0:2', follower: '0:4,0:5' });
    expect(configs.brokers).toEqual([1, 2, 4, 5]);
  });

  it('a list longer than a config value may be becomes *; an unknown partition is refused', () => {
    const partitions = Array.from({ length: 600 }, (_, partition) => ({
      topic: 'big',
      partition,
      replicas: [100, 101],
    }));
    const current = partitions.map((p) => ({ ...p, replicas: [102, 103] }));
    const configs = throttleConfigs({ version: 1, partitions }, current, []);
    expect(configs.topics.get('big')).toEqual({ leader: '*', follower: '*' });
    // Just under the bound, the list itself.
    const few = partitions.slice(0, 100);
    const listed = throttleConfigs({ version: 1, partitions: few }, current.slice(0, 100), []).topics.get('big');
    expect(listed?.follower.length).toBeLessThanOrEqual(MAX_THROTTLED_LIST_CHARS);
    expect(listed?.follower.startsWith('0:100,0:101,1:100')).toBe(true);
    expect(() =>
      throttleConfigs({ version: 1, partitions: [{ topic: 'gone', partition: 0, replicas: [1] }] }, [], []),
    ).toThrow(UsageError);
  });

  it('--throttle takes a positive integer of bytes/s', () => {
    expect(parseThrottleRate('10485760')).toBe(10_485_760);
    for (const bad of ['0', '-1', '1.5', '10MB', '', '99999999999999999'])
      expect(() => parseThrottleRate(bad)).toThrow(UsageError);
  });

  it('refuses misused flags as usage errors, before connecting anywhere', async () => {
    const cases: [string[], string][] = [
      [
        ['topic', 'reassign', '--verify', '--plan-file', 'p.json', '--throttle', '100'],
        '--throttle goes with --execute',
      ],
      [['topic', 'reassign', '--execute', '--plan-file', 'p.json', '--throttle', '10MB'], '--throttle must be a rate'],
      [['cluster', 'alter-config', '--set', 'leader.replication.throttled.rate=1'], 'exactly one of --broker'],
      [['cluster', 'alter-config', '--broker', '1', '--broker-defaults', '--set', 'a=1'], 'exactly one of --broker'],
      [['cluster', 'alter-config', '--broker', 'x', '--set', 'a=1'], '--broker must be a broker id'],
      [['cluster', 'alter-config', '--broker', '1'], 'at least one --set'],
    ];
    for (const [argv, message] of cases) {
      let err = '';
      const code = await runCli(argv, { out: () => undefined, err: (text) => void (err += text) });
      expect({ argv, code, mentions: err.includes(message) }).toEqual({ argv, code: ExitCode.USAGE, mentions: true });
    }
  });
});
