/** Finalized feature levels (Kafka's FeaturesImage), e.g. metadata.version. */
import { InvalidFeatureLevelError } from './errors';
import type { FeatureLevelRecord } from './records';

const MAX_FEATURE_LEVEL = 32767;

export class FeaturesImage {
  static readonly EMPTY = new FeaturesImage(new Map());

  constructor(private readonly levels: ReadonlyMap<string, number>) {}

  /** The finalized level, 0 when the feature is not enabled. */
  level(name: string): number {
    return this.levels.get(name) ?? 0;
  }

  get size(): number {
    return this.levels.size;
  }

  /** [name, level] ordered by name. */
  sortedLevels(): [string, number][] {
    return [...this.levels.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** For FeaturesDelta only: a mutable copy. */
  copyLevels(): Map<string, number> {
    return new Map(this.levels);
  }
}

export class FeaturesDelta {
  private readonly changed = new Map<string, number>();

  constructor(readonly image: FeaturesImage) {}

  level(name: string): number {
    return this.changed.get(name) ?? this.image.level(name);
  }

  replay(record: FeatureLevelRecord): void {
    if (record.name.length === 0) throw new InvalidFeatureLevelError('feature name is empty');
    if (!Number.isInteger(record.level) || record.level < 0 || record.level > MAX_FEATURE_LEVEL) {
      throw new InvalidFeatureLevelError(
        `feature ${record.name} level ${record.level} is outside 0..${MAX_FEATURE_LEVEL}`,
      );
    }
    this.changed.set(record.name, record.level);
  }

  get isEmpty(): boolean {
    return this.changed.size === 0;
  }

  changes(): ReadonlyMap<string, number> {
    return new Map(this.changed);
  }

  apply(): FeaturesImage {
    if (this.changed.size === 0) return this.image;
    const levels = this.image.copyLevels();
    for (const [name, level] of this.changed) {
      // Level 0 means "not enabled"; Kafka drops the feature rather than storing a zero.
      if (level === 0) levels.delete(name);
      else levels.set(name, level);
    }
    return new FeaturesImage(levels);
  }
}
