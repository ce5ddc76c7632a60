/**
 * Rendering the chart with `helm template` for the template tests (helm-template.test.ts and
 * helm-template-security.test.ts): values written to a scratch file per call, the output parsed,
 * and the small readers the tests share (one object by kind and name, a ConfigMap's properties,
 * a container's env).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CHART_DIR,
  KUBE_VERSION,
  kubernetesBinDir,
  parseManifests,
  runHelm,
  valuesFile,
  type HelmResult,
  type KubeObject,
} from './kubernetes';

export class ChartRenderer {
  private valuesCount = 0;

  private constructor(
    readonly binDir: string,
    private readonly scratch: string,
  ) {}

  /** Builds helm on first use (see kubernetesBinDir); call from a beforeAll with BUILD_TIMEOUT_MS. */
  static start(): ChartRenderer {
    return new ChartRenderer(kubernetesBinDir(true), mkdtempSync(join(tmpdir(), 'sluice-helm-template-')));
  }

  close(): void {
    rmSync(this.scratch, { recursive: true, force: true });
  }

  /** `helm template rel <chart> -n data -f <values>`, never throwing on a refusal. */
  template(values: object = {}, extraArgs: readonly string[] = []): HelmResult {
    const file = valuesFile(this.scratch, `values-${this.valuesCount++}`, values);
    return runHelm(this.binDir, [
      'template',
      'rel',
      CHART_DIR,
      '--namespace',
      'data',
      '--kube-version',
      KUBE_VERSION,
      '-f',
      file,
      ...extraArgs,
    ]);
  }

  render(values: object = {}, extraArgs: readonly string[] = []): KubeObject[] {
    const result = this.template(values, extraArgs);
    if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
    return parseManifests(result.stdout);
  }

  /** helm's stderr for values that must be refused (and a check that nothing was rendered). */
  refusal(values: object): string {
    const result = this.template(values);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    return result.stderr;
  }
}

export function one(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0] as KubeObject;
}

/** A ConfigMap's server.properties; each key appears once (no ambiguous override). */
export function properties(configMap: KubeObject): Map<string, string> {
  const text = configMap.data['server.properties'] as string;
  const entries = new Map<string, string>();
  for (const line of text.split('\n').filter((l) => l !== '')) {
    const at = line.indexOf('=');
    expect(entries.has(line.slice(0, at))).toBe(false);
    entries.set(line.slice(0, at), line.slice(at + 1));
  }
  return entries;
}

export function envOf(container: { env: { name: string; value?: string }[] }): Map<string, string | undefined> {
  return new Map(container.env.map((e) => [e.name, e.value]));
}
