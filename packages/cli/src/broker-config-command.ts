/**
 * `sluice cluster alter-config (--broker <id> | --broker-defaults) --set k=v --delete k`: dynamic
 * broker configs (kafka-configs --alter --entity-type brokers --entity-name <id> |
 * --entity-default), such as `leader.replication.throttled.rate` and
 * `follower.replication.throttled.rate`. A broker's own value wins over the default (Kafka's
 * `<default>`, stored as the cluster resource, name ''). The controller validates every key and
 * value (INVALID_CONFIG names the key) and applies all of a request or none of it.
 */
import { Command } from 'commander';
import { withAdmin, withConnectionOptions, type ConnectionOptions } from './bootstrap';
import { ExitCode, UsageError } from './exit-codes';
import type { CliIo } from './io';
import { parseConfigPairs } from './topic-command';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

interface BrokerConfigOptions extends ConnectionOptions {
  readonly broker?: string;
  readonly brokerDefaults?: boolean;
  readonly set?: string[];
  readonly delete?: string[];
}

export function brokerConfigCommand(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  return withConnectionOptions(
    new Command('alter-config')
      .description(
        "set or delete dynamic broker configs of one broker or the cluster-wide default (Kafka's incremental AlterConfigs)",
      )
      .option('--broker <id>', 'the broker whose configs change')
      .option('--broker-defaults', "the default for every broker (Kafka's --entity-default, <default>)")
      .option('--set <key=value>', 'set a config (repeatable)', collect)
      .option('--delete <key>', 'remove a config, back to the default (repeatable)', collect),
  ).action(async (options: BrokerConfigOptions) => {
    if ((options.broker === undefined) === (options.brokerDefaults !== true))
      throw new UsageError('give exactly one of --broker <id>, --broker-defaults');
    if (options.broker !== undefined && !/^(0|[1-9]\d{0,9})$/.test(options.broker))
      throw new UsageError(`--broker must be a broker id, got ${JSON.stringify(options.broker)}`);
    const set = parseConfigPairs(options.set ?? [], '--set');
    const remove = (options.delete ?? [])
      .flatMap((entry) => entry.split(','))
      .map((key) => key.trim())
      .filter((key) => key !== '');
    if (Object.keys(set).length === 0 && remove.length === 0)
      throw new UsageError('alter-config needs at least one --set key=value or --delete key');
    const resource =
      options.broker === undefined
        ? { type: 'cluster' as const, name: '', label: 'the broker defaults' }
        : { type: 'broker' as const, name: options.broker, label: `broker ${options.broker}` };
    setExitCode(
      await withAdmin(options, io, async (admin) => {
        const [result] = await admin.alterConfigs([{ type: resource.type, name: resource.name, set, delete: remove }]);
        if (result?.error !== undefined) throw result.error;
        const changes = [
          ...Object.entries(set).map(([key, value]) => `${key}=${value}`),
          ...remove.map((key) => `-${key}`),
        ];
        io.out(`Altered configs of ${resource.label}: ${changes.join(', ')}.\n`);
        return ExitCode.OK;
      }),
    );
  });
}
