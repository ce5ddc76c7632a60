import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatLogDirs,
  isKafkaUuid,
  MetaPropertiesError,
  parseMetaProperties,
  randomKafkaUuid,
  readMetaProperties,
  verifyFormattedLogDirs,
} from '../src/meta-properties';

describe('meta.properties', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sluice-meta-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const clusterId = 'MkU3OEVBNTcwNTJENDM2Qg';

  it('random UUIDs are 22-char Kafka UUIDs not starting with a dash', () => {
    for (let i = 0; i < 200; i++) {
      const id = randomKafkaUuid();
      expect(isKafkaUuid(id)).toBe(true);
      expect(id.startsWith('-')).toBe(false);
    }
    expect(isKafkaUuid(clusterId)).toBe(true);
    expect(isKafkaUuid('not-a-uuid')).toBe(false);
  });

  it('formats every dir with one cluster id and a directory id each; verify accepts them', () => {
    const dirs = [join(root, 'a'), join(root, 'b')];
    const outcomes = formatLogDirs({ clusterId, nodeId: 3, logDirs: dirs });
    expect(outcomes.map((o) => o.action)).toEqual(['formatted', 'formatted']);
    const a = readMetaProperties(dirs[0] as string);
    const b = readMetaProperties(dirs[1] as string);
    expect(a).toMatchObject({ version: 1, clusterId, nodeId: 3 });
    expect(a?.directoryId).not.toEqual(b?.directoryId);
    expect(readFileSync(join(root, 'a', 'meta.properties'), 'utf8')).toMatch(/^cluster\.id=MkU3OEVBNTcwNTJENDM2Qg$/m);
    expect(verifyFormattedLogDirs(dirs, 3)).toBe(clusterId);
  });

  it('refuses another cluster id and touches no directory when one conflicts', () => {
    const dirs = [join(root, 'a'), join(root, 'b')];
    formatLogDirs({ clusterId, nodeId: 1, logDirs: [dirs[1] as string] });
    expect(() => formatLogDirs({ clusterId: randomKafkaUuid(), nodeId: 1, logDirs: dirs })).toThrow(
      /already formatted for cluster/,
    );
    expect(readMetaProperties(dirs[0] as string)).toBeUndefined();
    expect(() => formatLogDirs({ clusterId, nodeId: 1, logDirs: dirs })).toThrow(/already formatted/);
    expect(formatLogDirs({ clusterId, nodeId: 1, logDirs: dirs, ignoreFormatted: true }).map((o) => o.action)).toEqual([
      'formatted',
      'already-formatted',
    ]);
  });

  it('rejects a cluster id that is not a UUID', () => {
    expect(() => formatLogDirs({ clusterId: 'my-cluster', nodeId: 1, logDirs: [root] })).toThrow(MetaPropertiesError);
  });

  it('start-up check names unformatted, other-cluster and other-node directories', () => {
    const dir = join(root, 'x');
    mkdirSync(dir);
    expect(() => verifyFormattedLogDirs([dir], 1)).toThrow(/not formatted/);
    formatLogDirs({ clusterId, nodeId: 1, logDirs: [dir] });
    expect(() => verifyFormattedLogDirs([dir], 2)).toThrow(/formatted for node.id 1/);
    expect(() => verifyFormattedLogDirs([dir], 1, randomKafkaUuid())).toThrow(/belongs to cluster/);
  });

  it('a damaged file is reported, not guessed at', () => {
    writeFileSync(join(root, 'meta.properties'), 'version=1\nnode.id=1\n');
    expect(() => readMetaProperties(root)).toThrow(/missing cluster.id/);
    expect(() => parseMetaProperties('version=2\nnode.id=1\ncluster.id=x\ndirectory.id=y\n', 'f')).toThrow(
      /unsupported version/,
    );
  });
});
