/** The first records of a brand-new cluster's metadata log. */
import type { ConfigRecord, FeatureLevelRecord, MetadataImage, MetadataRecord } from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import { alterConfigs, type ConfigChange } from './configuration-control';
import { BOOTSTRAP_METADATA_VERSION, METADATA_VERSION_FEATURE } from './limits';
import type { ControllerResult } from './result';

export interface BootstrapResponse {
  readonly clusterId: string;
  readonly metadataVersion: number;
}

/**
 * FeatureLevel(metadata.version) plus any initial cluster-wide configs, validated like
 * alterConfigs. Refused on a non-empty image: bootstrapping twice would rewrite history.
 * The cluster id itself is not in the log (Kafka keeps it in meta.properties); it is echoed back.
 */
export function bootstrapRecords(
  image: MetadataImage,
  clusterId: string,
  clusterConfigs: readonly ConfigChange[] = [],
): ControllerResult<BootstrapResponse> {
  if (!image.isEmpty)
    throw new ApiError('INVALID_REQUEST', 'the metadata log is not empty; the cluster is already bootstrapped');
  const feature: FeatureLevelRecord = {
    type: 'FeatureLevel',
    name: METADATA_VERSION_FEATURE,
    level: BOOTSTRAP_METADATA_VERSION,
  };
  const configs = alterConfigs(image, { type: 'cluster', name: '' }, clusterConfigs, false).records as ConfigRecord[];
  const records: MetadataRecord[] = [feature, ...configs];
  return {
    records,
    response: { clusterId, metadataVersion: BOOTSTRAP_METADATA_VERSION },
    summary:
      `bootstrapped cluster ${clusterId} at ${METADATA_VERSION_FEATURE} ${BOOTSTRAP_METADATA_VERSION}` +
      (configs.length > 0 ? ` with ${configs.length} cluster configs` : ''),
  };
}
