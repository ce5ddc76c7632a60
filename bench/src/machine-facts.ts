/** The machine a bench ran on, for the report: cores, memory, the disk under /tmp, node and java versions. */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

export function machineFacts(): string[] {
  const cpu = cpus();
  const facts = [`${cpu.length} cores (${cpu[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory`];
  try {
    const df = execFileSync('df', ['-hT', '/tmp'], { encoding: 'utf8' }).trim().split('\n').pop() ?? '';
    const [device, type, size] = df.split(/\s+/);
    const name = (device ?? '').replace(/^\/dev\//, '').replace(/\d+$/, '');
    let rotational = '?';
    try {
      rotational =
        execFileSync('cat', [`/sys/block/${name}/queue/rotational`], { encoding: 'utf8' }).trim() === '0'
          ? 'non-rotational'
          : 'rotational';
    } catch {
      // not a block device we can see
    }
    facts.push(`data in /tmp on ${device} (${type}, ${size}, ${rotational}) for every system`);
  } catch {
    facts.push('data in /tmp for every system');
  }
  const javaVersion = spawnSync('java', ['-version'], { encoding: 'utf8' });
  facts.push(
    `node ${process.version}, java ${/version "([^"]+)"/.exec(`${javaVersion.stderr ?? ''}${javaVersion.stdout ?? ''}`)?.[1] ?? '?'}`,
  );
  return facts;
}
