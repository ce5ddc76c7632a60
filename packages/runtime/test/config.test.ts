import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  describeConfig,
  envVariableFor,
  intKey,
  loadConfig,
  loadSluiceConfig,
  metadataLogDir,
  msToTicks,
  parseListeners,
  parseProperties,
  parseQuorumVoters,
  SLUICE_CONFIG_SCHEMA,
} from '../src';

const BASE = {
  'node.id': 1,
  'process.roles': 'controller',
  'controller.quorum.voters': '1@127.0.0.1:9093,2@127.0.0.1:9094,3@[::1]:9095',
};

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('.properties parsing', () => {
  it('handles comments, separators, continuations and escapes like Java', () => {
    const props = parseProperties(
      [
        '# comment',
        '! also a comment',
        'a=1',
        'b : 2',
        'c 3',
        '  d=x\\',
        '    y',
        'e=tab\\there',
        'f=\\u0041',
        'g',
        'a=last wins',
        'key\\=with\\:sep=v',
      ].join('\n'),
    );
    expect(Object.fromEntries(props)).toEqual({
      a: 'last wins',
      b: '2',
      c: '3',
      d: 'xy',
      e: 'tab\there',
      f: 'A',
      g: '',
      'key=with:sep': 'v',
    });
  });
});

describe('quorum voters and listeners', () => {
  it('parses controller.quorum.voters including IPv6', () => {
    expect(parseQuorumVoters('1@a:9093, 2@b:9094,3@[::1]:9095')).toEqual([
      { id: 1, host: 'a', port: 9093 },
      { id: 2, host: 'b', port: 9094 },
      { id: 3, host: '::1', port: 9095 },
    ]);
    expect(() => parseQuorumVoters('1@a:9093,1@b:9094')).toThrow(/twice/);
    expect(() => parseQuorumVoters('x@a:1')).toThrow(/node id/);
    expect(() => parseQuorumVoters('1@a')).toThrow(/host:port/);
    expect(() => parseQuorumVoters('1@a:0')).toThrow(/port/);
  });

  it('parses listeners, port 0 allowed', () => {
    expect(parseListeners('PLAINTEXT://:9092,controller://127.0.0.1:0')).toEqual([
      { name: 'PLAINTEXT', host: '', port: 9092 },
      { name: 'CONTROLLER', host: '127.0.0.1', port: 0 },
    ]);
  });
});

describe('loading sluice config', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sluice-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('fills defaults and reads a file, env and overrides in precedence order', () => {
    const file = join(dir, 'server.properties');
    writeFileSync(
      file,
      'node.id=1\nprocess.roles=broker,controller\ncontroller.quorum.voters=1@h1:9093\nbroker.session.timeout.ms=5000\nfoo.bar=1\n',
    );
    const loaded = loadSluiceConfig({
      file,
      env: { SLUICE_BROKER_SESSION_TIMEOUT_MS: '6000', SLUICE_LOG_DIRS: '/data/a,/data/b' },
      overrides: { 'metrics.port': 0 },
    });
    const c = loaded.values;
    expect(c['node.id']).toBe(1);
    expect(c['process.roles']).toEqual(['broker', 'controller']);
    expect(c['broker.session.timeout.ms']).toBe(6000);
    expect(c['log.dirs']).toEqual(['/data/a', '/data/b']);
    expect(c['metrics.port']).toBe(0);
    expect(c['controller.quorum.election.timeout.ms']).toBe(300);
    expect(metadataLogDir(c)).toBe('/data/a');
    expect(loaded.origins.get('node.id')).toBe('file');
    expect(loaded.origins.get('broker.session.timeout.ms')).toBe('env');
    expect(loaded.origins.get('metrics.port')).toBe('override');
    expect(loaded.origins.get('min.insync.replicas')).toBe('default');
    expect(loaded.unknownKeys).toEqual(['foo.bar']);
  });

  it("takes the flush settings in Kafka's names, with Kafka's never (Long.MAX_VALUE) as their default", () => {
    const defaults = loadSluiceConfig({ overrides: BASE }).values;
    expect(defaults['log.flush.interval.messages']).toBe(Number.MAX_SAFE_INTEGER);
    expect(defaults['log.flush.interval.ms']).toBe(Number.MAX_SAFE_INTEGER);
    expect(defaults['log.flush.scheduler.interval.ms']).toBe(1_000);
    expect(defaults['log.flush.offset.checkpoint.interval.ms']).toBe(60_000);
    expect(defaults['log.flush.start.offset.checkpoint.interval.ms']).toBe(60_000);
    expect(defaults['replica.high.watermark.checkpoint.interval.ms']).toBe(5_000);
    expect(defaults['durable.acks.enable']).toBe(false);
    const set = loadSluiceConfig({
      overrides: {
        ...BASE,
        'log.flush.interval.messages': '9223372036854775807',
        'log.flush.interval.ms': 2_000,
        'durable.acks.enable': 'true',
      },
    }).values;
    expect(set['log.flush.interval.messages']).toBe(Number.MAX_SAFE_INTEGER);
    expect(set['log.flush.interval.ms']).toBe(2_000);
    expect(set['durable.acks.enable']).toBe(true);
    expect(
      configError(() => loadSluiceConfig({ overrides: { ...BASE, 'log.flush.interval.messages': 0 } })).message,
    ).toContain('must be at least 1');
    expect(describeConfig(SLUICE_CONFIG_SCHEMA).find((line) => line.startsWith('log.flush.interval.ms '))).toContain(
      "default '9223372036854775807'",
    );
  });

  it('names key, value and reason for a bad value', () => {
    const error = configError(() => loadSluiceConfig({ overrides: { ...BASE, 'broker.session.timeout.ms': 'soon' } }));
    expect([error.key, error.value]).toEqual(['broker.session.timeout.ms', 'soon']);
    expect(error.message).toContain(
      "Invalid value 'soon' for configuration 'broker.session.timeout.ms': not an integer",
    );
    expect(
      configError(() => loadSluiceConfig({ overrides: { ...BASE, 'process.roles': 'broker,zookeeper' } })).message,
    ).toContain("'zookeeper' is not one of broker, controller");
    expect(configError(() => loadSluiceConfig({ overrides: { ...BASE, 'min.insync.replicas': 0 } })).message).toContain(
      'must be in [1,',
    );
  });

  it('requires node.id and a voter list that includes a controller node', () => {
    expect(configError(() => loadSluiceConfig({ overrides: { 'process.roles': 'broker' } })).key).toBe('node.id');
    expect(
      configError(() => loadSluiceConfig({ overrides: { 'node.id': 1, 'process.roles': 'controller' } })).key,
    ).toBe('controller.quorum.voters');
    const notIncluded = configError(() => loadSluiceConfig({ overrides: { ...BASE, 'node.id': 9 } }));
    expect(notIncluded.message).toContain('node.id=9');
    expect(
      loadSluiceConfig({ overrides: { 'node.id': 4, 'process.roles': 'broker' } }).values['controller.quorum.voters'],
    ).toEqual([]);
  });

  it('checks raft timing across keys', () => {
    const error = configError(() =>
      loadSluiceConfig({ overrides: { ...BASE, 'controller.quorum.heartbeat.interval.ms': 200 } }),
    );
    expect(error.key).toBe('controller.quorum.heartbeat.interval.ms');
  });

  it('reports an unreadable file as a ConfigError', () => {
    expect(configError(() => loadSluiceConfig({ file: join(dir, 'missing.properties') })).key).toBe('config file');
  });

  it("maps names to environment variables like Kafka's docker image", () => {
    expect(envVariableFor('node.id')).toBe('SLUICE_NODE_ID');
    expect(envVariableFor('a_b.c-d')).toBe('SLUICE_A__B_C___D');
  });

  it('works with any schema and describes it', () => {
    const schema = { 'x.ms': intKey({ doc: 'x', default: 5, min: 1 }) };
    expect(loadConfig(schema).values['x.ms']).toBe(5);
    expect(describeConfig(SLUICE_CONFIG_SCHEMA).length).toBe(Object.keys(SLUICE_CONFIG_SCHEMA).length);
    expect(msToTicks(300, 25)).toBe(12);
    expect(msToTicks(1, 25)).toBe(1);
  });
});
