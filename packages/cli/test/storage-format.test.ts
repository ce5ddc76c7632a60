import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, runCli, type CliIo } from '@sluice/cli';

function capture(): CliIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (text) => void (out += text), err: (text) => void (err += text), stdout: () => out, stderr: () => err };
}

describe('sluice storage format / random-uuid', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sluice-format-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function config(lines: string[]): string {
    const file = join(root, 'server.properties');
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }

  it('random-uuid prints a 22-character cluster id', async () => {
    const io = capture();
    expect(await runCli(['storage', 'random-uuid'], io)).toBe(ExitCode.OK);
    expect(io.stdout().trim()).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('formats metadata.log.dir and log.dirs, then refuses another cluster id (exit 1)', async () => {
    const idIo = capture();
    await runCli(['storage', 'random-uuid'], idIo);
    const clusterId = idIo.stdout().trim();
    const file = config([
      'node.id=2',
      'process.roles=controller,broker',
      'controller.quorum.voters=2@127.0.0.1:9093',
      `metadata.log.dir=${join(root, 'meta')}`,
      `log.dirs=${join(root, 'd1')},${join(root, 'd2')}`,
    ]);
    const io = capture();
    expect(await runCli(['storage', 'format', '--cluster-id', clusterId, '--config', file], io)).toBe(ExitCode.OK);
    expect(io.stdout()).toContain('Formatting');
    for (const dir of ['meta', 'd1', 'd2']) {
      const text = readFileSync(join(root, dir, 'meta.properties'), 'utf8');
      expect(text).toContain(`cluster.id=${clusterId}`);
      expect(text).toContain('node.id=2');
      expect(text).toMatch(/directory\.id=[A-Za-z0-9_-]{22}/);
    }
    const other = capture();
    expect(await runCli(['storage', 'format', '--cluster-id', 'MkU3OEVBNTcwNTJENDM2Qg', '--config', file], other)).toBe(
      ExitCode.FAILURE,
    );
    expect(other.stderr()).toContain('already formatted for cluster');
    const again = capture();
    expect(
      await runCli(['storage', 'format', '--cluster-id', clusterId, '--config', file, '--ignore-formatted'], again),
    ).toBe(ExitCode.OK);
  });

  it('usage errors exit 2 and name what is missing', async () => {
    const noId = capture();
    expect(await runCli(['storage', 'format', '--config', config(['node.id=1'])], noId)).toBe(ExitCode.USAGE);
    expect(noId.stderr()).toContain('--cluster-id');
    const noRoles = capture();
    expect(
      await runCli(
        ['storage', 'format', '--cluster-id', 'MkU3OEVBNTcwNTJENDM2Qg', '--config', config(['node.id=1'])],
        noRoles,
      ),
    ).toBe(ExitCode.USAGE);
    expect(noRoles.stderr()).toContain("Missing required configuration 'process.roles'");
    const noNode = capture();
    expect(
      await runCli(
        [
          'storage',
          'format',
          '--cluster-id',
          'MkU3OEVBNTcwNTJENDM2Qg',
          '--config',
          config(['process.roles=controller', `metadata.log.dir=${root}`]),
        ],
        noNode,
      ),
    ).toBe(ExitCode.USAGE);
    expect(noNode.stderr()).toContain("Missing required configuration 'node.id'");
    const badId = capture();
    expect(
      await runCli(
        [
          'storage',
          'format',
          '--cluster-id',
          'nope',
          '--config',
          config([
            'node.id=1',
            'process.roles=controller',
            'controller.quorum.voters=1@127.0.0.1:9093',
            `metadata.log.dir=${root}`,
          ]),
        ],
        badId,
      ),
    ).toBe(ExitCode.USAGE);
    expect(badId.stderr()).toContain('not a Kafka UUID');
  });
});
