/** Dynamic configs per resource (Kafka's ConfigurationsImage / ConfigurationsDelta). */
import { InvalidConfigRecordError } from './errors';
import { PersistentMap } from './persistent-map';
import type { ConfigRecord, ConfigResourceType } from './records';

export interface ConfigResource {
  readonly resourceType: ConfigResourceType;
  readonly resourceName: string;
  /** Config name to value; never empty (a resource with no configs is dropped). */
  readonly entries: ReadonlyMap<string, string>;
}

function resourceKey(resourceType: ConfigResourceType, resourceName: string): string {
  return `${resourceType}:${resourceName}`;
}

export class ConfigsImage {
  static readonly EMPTY = new ConfigsImage(PersistentMap.empty());

  constructor(private readonly resourcesByKey: PersistentMap<string, ConfigResource>) {}

  get resourceCount(): number {
    return this.resourcesByKey.size;
  }

  resource(resourceType: ConfigResourceType, resourceName: string): ConfigResource | undefined {
    return this.resourcesByKey.get(resourceKey(resourceType, resourceName));
  }

  value(resourceType: ConfigResourceType, resourceName: string, name: string): string | undefined {
    return this.resource(resourceType, resourceName)?.entries.get(name);
  }

  /** Resources ordered by type then name: the order snapshots are written in. */
  sortedResources(): ConfigResource[] {
    return [...this.resourcesByKey.values()].sort((a, b) => {
      const ka = resourceKey(a.resourceType, a.resourceName);
      const kb = resourceKey(b.resourceType, b.resourceName);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  }

  /** For ConfigsDelta only. */
  edit(): ReturnType<PersistentMap<string, ConfigResource>['edit']> {
    return this.resourcesByKey.edit();
  }
}

export class ConfigsDelta {
  /** Full pending entries of each touched resource (copied on first touch). */
  private readonly changed = new Map<
    string,
    { resourceType: ConfigResourceType; resourceName: string; entries: Map<string, string> }
  >();

  constructor(readonly image: ConfigsImage) {}

  private writable(resourceType: ConfigResourceType, resourceName: string): Map<string, string> {
    const key = resourceKey(resourceType, resourceName);
    let pending = this.changed.get(key);
    if (pending === undefined) {
      pending = {
        resourceType,
        resourceName,
        entries: new Map(this.image.resource(resourceType, resourceName)?.entries ?? []),
      };
      this.changed.set(key, pending);
    }
    return pending.entries;
  }

  value(resourceType: ConfigResourceType, resourceName: string, name: string): string | undefined {
    const pending = this.changed.get(resourceKey(resourceType, resourceName));
    return pending !== undefined ? pending.entries.get(name) : this.image.value(resourceType, resourceName, name);
  }

  replay(record: ConfigRecord): void {
    if (record.name.length === 0) throw new InvalidConfigRecordError('config name is empty');
    if (record.resourceType === 'cluster' && record.resourceName !== '') {
      throw new InvalidConfigRecordError(
        `cluster configs use resource name '', not ${JSON.stringify(record.resourceName)}`,
      );
    }
    if (record.resourceType !== 'cluster' && record.resourceName === '') {
      throw new InvalidConfigRecordError(`${record.resourceType} config needs a resource name`);
    }
    const entries = this.writable(record.resourceType, record.resourceName);
    if (record.value === null) entries.delete(record.name);
    else entries.set(record.name, record.value);
  }

  /** A removed topic takes its configs with it. */
  removeTopicConfigs(topicName: string): void {
    if (this.image.resource('topic', topicName) === undefined && !this.changed.has(resourceKey('topic', topicName)))
      return;
    this.writable('topic', topicName).clear();
  }

  get isEmpty(): boolean {
    return this.changed.size === 0;
  }

  /** Resources whose configs this delta touched. */
  changedResources(): { resourceType: ConfigResourceType; resourceName: string }[] {
    return [...this.changed.values()].map(({ resourceType, resourceName }) => ({ resourceType, resourceName }));
  }

  apply(): ConfigsImage {
    if (this.changed.size === 0) return this.image;
    const editor = this.image.edit();
    for (const [key, pending] of this.changed) {
      if (pending.entries.size === 0) editor.delete(key);
      else
        editor.set(
          key,
          Object.freeze({
            resourceType: pending.resourceType,
            resourceName: pending.resourceName,
            entries: new Map(pending.entries),
          }),
        );
    }
    return new ConfigsImage(editor.build());
  }
}
