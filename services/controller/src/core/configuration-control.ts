/**
 * Config validation and changes (Kafka's ConfigurationControlManager): topic configs at
 * creation, incremental alterConfigs on topic, broker and cluster resources, and the lookups
 * the controller itself needs (unclean leader election).
 */
import type { ConfigRecord, ConfigResourceType, MetadataImage } from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import { BROKER_CONFIGS, configValueProblem, splitList, TOPIC_CONFIGS, type ConfigDef } from './config-defs';
import { MAX_CONFIG_CHANGES, MAX_CONFIG_VALUE_LENGTH } from './limits';
import type { ControllerResult } from './result';

export interface ConfigResourceRef {
  readonly type: ConfigResourceType;
  /** Topic name, broker id as decimal text, or '' for the cluster. */
  readonly name: string;
}

/** Kafka's IncrementalAlterConfigs operations; append and subtract are for list configs. */
export type ConfigOp = 'set' | 'delete' | 'append' | 'subtract';

export interface ConfigChange {
  readonly name: string;
  /** Default 'set'. */
  readonly op?: ConfigOp;
  /** Required for set, append and subtract; ignored for delete. */
  readonly value?: string | null;
}

export interface ConfigValueChange {
  readonly name: string;
  /** The explicitly set value before, or null. */
  readonly oldValue: string | null;
  /** The explicitly set value after, or null when deleted. */
  readonly newValue: string | null;
}

export interface AlterConfigsResponse {
  readonly resource: ConfigResourceRef;
  /** Only configs whose stored value actually changes; empty when nothing does. */
  readonly changes: readonly ConfigValueChange[];
  readonly validateOnly: boolean;
}

const BROKER_ID_TEXT = /^(0|[1-9]\d{0,9})$/;

function definitionsFor(type: ConfigResourceType): ReadonlyMap<string, ConfigDef> {
  return type === 'topic' ? TOPIC_CONFIGS : BROKER_CONFIGS;
}

function describeResource(resource: ConfigResourceRef): string {
  return resource.type === 'cluster' ? 'cluster' : `${resource.type} ${resource.name}`;
}

/** Checks one value against the table; INVALID_CONFIG naming the key and the reason. */
function checkValue(defs: ReadonlyMap<string, ConfigDef>, kind: string, name: string, value: string): void {
  const def = defs.get(name);
  if (def === undefined) throw new ApiError('INVALID_CONFIG', `unknown ${kind} config ${JSON.stringify(name)}`);
  if (value.length > MAX_CONFIG_VALUE_LENGTH) {
    throw new ApiError(
      'INVALID_CONFIG',
      `invalid value for ${name}: ${value.length} characters exceeds ${MAX_CONFIG_VALUE_LENGTH}`,
    );
  }
  const problem = configValueProblem(def, value);
  if (problem !== undefined) throw new ApiError('INVALID_CONFIG', `invalid value for ${name}: ${problem}`);
}

/**
 * Validates the configs of a topic being created and returns its Config records in name order.
 * Throws INVALID_CONFIG for an unknown key or a bad value.
 */
export function topicConfigRecords(topicName: string, configs: Readonly<Record<string, string>>): ConfigRecord[] {
  const names = Object.keys(configs).sort();
  if (names.length > MAX_CONFIG_CHANGES) {
    throw new ApiError('INVALID_CONFIG', `${names.length} configs exceed the limit of ${MAX_CONFIG_CHANGES} per topic`);
  }
  return names.map((name) => {
    const value = configs[name];
    if (typeof value !== 'string') throw new ApiError('INVALID_CONFIG', `config ${name} has no string value`);
    checkValue(TOPIC_CONFIGS, 'topic', name, value);
    return { type: 'Config', resourceType: 'topic', resourceName: topicName, name, value };
  });
}

function checkResource(image: MetadataImage, resource: ConfigResourceRef): void {
  switch (resource.type) {
    case 'topic':
      if (image.topics.topicByName(resource.name) === undefined) {
        throw new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${JSON.stringify(resource.name)} does not exist`);
      }
      return;
    case 'broker':
      // Like Kafka, a broker's dynamic configs may be set before it first registers.
      if (!BROKER_ID_TEXT.test(resource.name) || Number(resource.name) > 2 ** 31 - 1) {
        throw new ApiError(
          'INVALID_REQUEST',
          `broker resource name ${JSON.stringify(resource.name)} is not a broker id`,
        );
      }
      return;
    case 'cluster':
      if (resource.name !== '')
        throw new ApiError('INVALID_REQUEST', `the cluster resource is named '', not ${JSON.stringify(resource.name)}`);
      return;
    default:
      throw new ApiError(
        'INVALID_REQUEST',
        `unknown config resource type ${JSON.stringify((resource as { type: string }).type)}`,
      );
  }
}

function nextValue(def: ConfigDef, change: ConfigChange, current: string | null): string | null {
  const op = change.op ?? 'set';
  if (op === 'delete') return null;
  if (typeof change.value !== 'string') {
    throw new ApiError('INVALID_REQUEST', `${op} of ${change.name} needs a value`);
  }
  if (op === 'set') return change.value;
  if (def.type !== 'list')
    throw new ApiError('INVALID_CONFIG', `${op} is only allowed on list configs, and ${change.name} is a ${def.type}`);
  // Like Kafka, append/subtract start from the explicit value or else the default.
  const items = splitList(current ?? def.defaultValue);
  const operands = splitList(change.value);
  if (op === 'append') {
    for (const item of operands) if (!items.includes(item)) items.push(item);
    return items.join(',');
  }
  if (op === 'subtract') return items.filter((item) => !operands.includes(item)).join(',');
  throw new ApiError('INVALID_REQUEST', `unknown config operation ${JSON.stringify(op)}`);
}

/**
 * Incremental alterConfigs on one resource. All changes are validated before any record is
 * produced, so a bad change leaves everything as it was.
 */
export function alterConfigs(
  image: MetadataImage,
  resource: ConfigResourceRef,
  changes: readonly ConfigChange[],
  validateOnly: boolean,
): ControllerResult<AlterConfigsResponse> {
  checkResource(image, resource);
  if (changes.length > MAX_CONFIG_CHANGES) {
    throw new ApiError('INVALID_REQUEST', `${changes.length} config changes exceed the limit of ${MAX_CONFIG_CHANGES}`);
  }
  const defs = definitionsFor(resource.type);
  const kind = resource.type === 'topic' ? 'topic' : 'broker';
  const seen = new Set<string>();
  const valueChanges: ConfigValueChange[] = [];
  for (const change of changes) {
    if (seen.has(change.name))
      throw new ApiError('INVALID_REQUEST', `config ${change.name} is changed twice in one request`);
    seen.add(change.name);
    const def = defs.get(change.name);
    if (def === undefined)
      throw new ApiError('INVALID_CONFIG', `unknown ${kind} config ${JSON.stringify(change.name)}`);
    const oldValue = image.configs.value(resource.type, resource.name, change.name) ?? null;
    const newValue = nextValue(def, change, oldValue);
    if (newValue !== null) checkValue(defs, kind, change.name, newValue);
    if (newValue !== oldValue) valueChanges.push({ name: change.name, oldValue, newValue });
  }
  const records: ConfigRecord[] = validateOnly
    ? []
    : valueChanges.map((change) => ({
        type: 'Config',
        resourceType: resource.type,
        resourceName: resource.name,
        name: change.name,
        value: change.newValue,
      }));
  const what =
    valueChanges.length === 0
      ? 'no change'
      : valueChanges.map((c) => `${c.name} ${c.oldValue ?? '(default)'} -> ${c.newValue ?? '(default)'}`).join(', ');
  return {
    records,
    response: { resource, changes: valueChanges, validateOnly },
    summary: `${validateOnly ? 'validated ' : ''}alterConfigs ${describeResource(resource)}: ${what}`,
  };
}

/** Looks a topic config up as the controller sees it: topic, then cluster-wide, then `fallback`. */
export function topicConfigValue(image: MetadataImage, topicName: string, name: string): string | undefined {
  const explicit = image.configs.value('topic', topicName, name);
  if (explicit !== undefined) return explicit;
  const synonym = TOPIC_CONFIGS.get(name)?.brokerSynonym;
  return synonym === undefined ? undefined : image.configs.value('cluster', '', synonym);
}

/** unclean.leader.election.enable for a topic: topic config, cluster config, then the controller's default. */
export function uncleanLeaderElectionEnabled(
  image: MetadataImage,
  topicName: string,
  defaultEnabled: boolean,
): boolean {
  const value = topicConfigValue(image, topicName, 'unclean.leader.election.enable');
  return value === undefined ? defaultEnabled : value.trim().toLowerCase() === 'true';
}
