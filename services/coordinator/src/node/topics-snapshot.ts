/**
 * The coordinator's view of topics (the group core's TopicsView) from the paired broker's
 * Metadata answers: a name -> partition count map, and a version that moves only when a topic
 * appears, disappears or changes its partition count. The ownership loop refreshes metadata every
 * few hundred ms; bumping only on a real change lets heartbeats skip re-resolving subscriptions.
 */
import type { MetadataResponse__Output } from '@sluice/proto';
import type { TopicsView } from '../core/group-shard';

export class TopicsSnapshot implements TopicsView {
  private counts = new Map<string, number>();
  private version = 0;

  /** Takes a Metadata answer; returns whether anything changed. */
  update(metadata: MetadataResponse__Output): boolean {
    const next = new Map<string, number>();
    for (const topic of metadata.topics) if (topic.errorName === '') next.set(topic.name, topic.partitions.length);
    let changed = next.size !== this.counts.size;
    if (!changed) for (const [name, count] of next) if (this.counts.get(name) !== count) changed = true;
    if (changed) {
      this.counts = next;
      this.version++;
    }
    return changed;
  }

  partitionCount(name: string): number | undefined {
    return this.counts.get(name);
  }

  topicNames(): string[] {
    return [...this.counts.keys()];
  }

  metadataVersion(): number {
    return this.version;
  }
}
