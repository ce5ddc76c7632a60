import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, formatLogDirs, MetaPropertiesError } from '@sluice/runtime';
import { loadControllerConfig } from '../src/config/controller-config';

const CLUSTER_ID = 'MkU3OEVBNTcwNTJENDM2Qg';

describe('controller configuration', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-controller-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const text = (extra: string[] = []): string =>
    [
      'node.id=2',
      'process.roles=controller',
      'controller.quorum.voters=1@127.0.0.1:9001,2@127.0.0.1:9002,3@127.0.0.1:9003',
      `metadata.log.dir=${dir}`,
      ...extra,
    ].join('\n');

  it('resolves voters, bind address, cluster id and the audit log path', () => {
    formatLogDirs({ clusterId: CLUSTER_ID, nodeId: 2, logDirs: [dir] });
    const config = loadControllerConfig({ text: text(['listeners=CONTROLLER://127.0.0.1:9002']) });
    expect(config).toMatchObject({
      nodeId: 2,
      clusterId: CLUSTER_ID,
      bindHost: '127.0.0.1',
      bindPort: 9002,
      metadataLogDir: dir,
      auditLogFile: join(dir, 'audit.log'),
    });
    expect([...config.voters]).toEqual([
      [1, '127.0.0.1:9001'],
      [2, '127.0.0.1:9002'],
      [3, '127.0.0.1:9003'],
    ]);
    expect(config.raw['broker.session.timeout.ms']).toBe(9_000);
  });

  it('refuses an unformatted directory and one formatted for another node', () => {
    expect(() => loadControllerConfig({ text: text() })).toThrow(MetaPropertiesError);
    formatLogDirs({ clusterId: CLUSTER_ID, nodeId: 1, logDirs: [dir] });
    expect(() => loadControllerConfig({ text: text() })).toThrow(/formatted for node.id 1/);
  });

  it('refuses combined mode (no broker service yet) and a listener port that peers cannot reach', () => {
    formatLogDirs({ clusterId: CLUSTER_ID, nodeId: 2, logDirs: [dir] });
    expect(() => loadControllerConfig({ text: text(['process.roles=controller,broker']) })).toThrow(/services\/broker/);
    expect(() => loadControllerConfig({ text: text(['listeners=CONTROLLER://127.0.0.1:7777']) })).toThrow(ConfigError);
  });

  it('listens on one port behind a proxy whose port the voters name, through advertised.listeners', () => {
    formatLogDirs({ clusterId: CLUSTER_ID, nodeId: 2, logDirs: [dir] });
    const config = loadControllerConfig({
      text: text(['listeners=CONTROLLER://127.0.0.1:7777', 'advertised.listeners=CONTROLLER://127.0.0.1:9002']),
    });
    expect(config).toMatchObject({ bindHost: '127.0.0.1', bindPort: 7777 });
    expect(config.voters.get(2)).toBe('127.0.0.1:9002');
    // Advertising a port the voters do not name still leaves peers unable to reach it.
    expect(() =>
      loadControllerConfig({
        text: text(['listeners=CONTROLLER://127.0.0.1:7777', 'advertised.listeners=CONTROLLER://127.0.0.1:7778']),
      }),
    ).toThrow(/advertised controller listener port must match/);
  });
});
