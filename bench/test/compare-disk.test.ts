import { DISK_OVERHEAD, describeDisk, planDiskBytes } from '../src/compare-disk';
import { parsePlan } from '../src/compare-workload';

const small = ['--systems', 'sluice,kafka', '--records', '1000', '--runs', '2', '--warmup-max-runs', '2'];
const bytesOf = (records: number): number => Math.ceil(records * 1024 * 3 * DISK_OVERHEAD);

describe('bench:compare disk estimate', () => {
  it('counts each fair contender: warm-up at its cap plus every run of each produce setting', () => {
    const plan = parsePlan([...small, '--settings', 'produce', '--acks', 'all', '--producer-configs', 'tuned']);
    // per system: 2 warm-up runs + 2 measured runs of 1,000 records
    expect(planDiskBytes(plan)).toBe(bytesOf(2 * 4_000));
  });

  it("counts sluice's own best setting for sluice only, and the consume top-up beyond the tuned backlog", () => {
    const plan = parsePlan([
      ...small,
      '--settings',
      'produce,consume',
      '--acks',
      'all',
      '--producer-configs',
      'tuned,best',
      '--consume-records',
      '5000',
    ]);
    // sluice: 2,000 warm-up + 2,000 tuned + 2,000 best + 3,000 top-up; Kafka: the same without best
    expect(planDiskBytes(plan)).toBe(bytesOf(9_000 + 7_000));
  });

  it('counts the peers one pass each on defaults, after their warm-up, and nothing for the scaling table', () => {
    const plan = parsePlan([
      '--systems',
      'nats',
      '--records',
      '1000',
      '--settings',
      'produce',
      '--acks',
      'all',
      '--warmup-records',
      '500',
    ]);
    // nats: 500 warm-up + defaults 1,000 (tuned is the fair contenders' only; best is sluice's)
    expect(planDiskBytes(plan)).toBe(bytesOf(1_500));
    expect(planDiskBytes(parsePlan(['--scaling']))).toBe(0);
  });

  it('puts the full fair run against Kafka at 60-75 GB, the scale that filled the disk (section 42)', () => {
    const bytes = planDiskBytes(parsePlan(['--systems', 'sluice,kafka', '--probe-runs', '4']));
    expect(bytes).toBeGreaterThan(60e9);
    expect(bytes).toBeLessThan(75e9);
  });

  it('says the estimate and the free disk, and warns only when it does not fit', () => {
    expect(describeDisk(50e9, 70e9)).toBe(
      'disk: this plan leaves at most about 50.0 GB of data (warm-ups at their cap, kept to the end); 70.0 GB free where it writes',
    );
    expect(describeDisk(80e9, 70e9)).toMatch(/WARNING: it may fill the disk mid-run/);
  });
});
