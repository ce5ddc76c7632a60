/**
 * `sluice share consume <topic> --group G`: joins share group G (KIP-932) with a ShareConsumer and
 * prints the records the group hands it, as `sluice consume` prints them (--json adds
 * deliveryCount). Every member of a share group may get records of every partition, so several
 * terminals with the same group split the records between them, each record going to one of them.
 *
 * A record is ACCEPTed only once it was written out (explicit acknowledgement, sent with
 * commitSync after each printed batch); what was received but not printed (past --count, or when
 * stopped) is released on close, for another member to print. Stops after --count records, after
 * --timeout-ms without a record, or on Ctrl-C / SIGTERM, always closing the consumer.
 */
import { ShareConsumer } from '@sluice/client';
import { Command } from 'commander';
import { resolveCoordinators } from './bootstrap';
import {
  integerOption,
  withBrokers,
  withClientConnectionOptions,
  type ClientConnectionOptions,
} from './client-session';
import { ExitCode, UsageError } from './exit-codes';
import { Interruption, onInterrupt, STOPPED, type CliIo } from './io';
import { formatShareRecord, type RecordFormat } from './share-format';
import { aboutTopic } from './topic-command';

/** Longest single poll: bounds how late a --timeout-ms check can be. */
const POLL_MS = 1_000;
/** client.id the CLI's members show in `share describe`. */
export const SHARE_CONSUME_CLIENT_ID = 'sluice-share-consume';

export interface ShareConsumeOptions extends ClientConnectionOptions {
  readonly group?: string;
  readonly coordinators?: string;
  readonly count?: string;
  readonly timeoutMs?: string;
  readonly json?: boolean;
  readonly printKey?: boolean;
  readonly base64?: boolean;
}

export interface ShareConsumePlan extends RecordFormat {
  readonly topic: string;
  readonly group: string;
  readonly count?: number;
  readonly timeoutMs?: number;
}

export function shareConsumePlan(topic: string, options: ShareConsumeOptions): ShareConsumePlan {
  if (topic.trim() === '') throw new UsageError('a topic name is needed');
  if (options.group === undefined || options.group.trim() === '')
    throw new UsageError('--group needs a share group id');
  return {
    topic,
    group: options.group,
    ...(options.count === undefined ? {} : { count: integerOption(options.count, '--count', 1) }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: integerOption(options.timeoutMs, '--timeout-ms', 1) }),
    json: options.json === true,
    printKey: options.printKey === true,
    base64: options.base64 === true,
  };
}

/** Sends the queued ACCEPTs now; a refused one (its lock ran out: delivered again elsewhere) is a warning. */
async function sendAcknowledgements(consumer: ShareConsumer, io: CliIo): Promise<void> {
  try {
    for (const [partition, error] of await consumer.commitSync()) {
      if (error !== null)
        io.err(
          `warning: acknowledgement for ${partition} failed (its records may be delivered again): ${error.message}\n`,
        );
    }
  } catch (error) {
    io.err(
      `warning: acknowledgement failed (the records may be delivered again): ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
}

async function shareConsume(plan: ShareConsumePlan, options: ShareConsumeOptions, io: CliIo): Promise<ExitCode> {
  const coordinators = resolveCoordinators(options.coordinators);
  return withBrokers(options, io, async ({ admin, brokers }) => {
    // An unknown topic is UNKNOWN_TOPIC_OR_PARTITION now rather than a consumer that waits for ever.
    await aboutTopic(plan.topic, () => admin.describeTopic(plan.topic));
    const consumer = new ShareConsumer({
      bootstrap: brokers,
      coordinators,
      groupId: plan.group,
      clientId: SHARE_CONSUME_CLIENT_ID,
      acknowledgementMode: 'explicit',
    });
    const interruption = new Interruption();
    const interrupt = onInterrupt(io.signal, () => interruption.stop());
    let received = 0;
    try {
      consumer.subscribe([plan.topic]);
      let lastRecordMs = Date.now();
      while (!interruption.stopped && (plan.count === undefined || received < plan.count)) {
        let waitMs = POLL_MS;
        if (plan.timeoutMs !== undefined) {
          const left = lastRecordMs + plan.timeoutMs - Date.now();
          if (left <= 0) break;
          waitMs = Math.min(waitMs, left);
        }
        // A poll abandoned on Ctrl-C may reject once the consumer is closed under it: race() observes that.
        const polled = await interruption.race(consumer.poll(waitMs));
        if (polled === STOPPED) break;
        if (polled.length === 0) continue;
        lastRecordMs = Date.now();
        // Past --count: left unacknowledged, so close() releases them to the other members.
        const records =
          plan.count !== undefined && received + polled.length > plan.count
            ? polled.slice(0, plan.count - received)
            : polled;
        received += records.length;
        io.out(records.map((record) => formatShareRecord(record, plan)).join(''));
        const drained = io.outDrained === undefined ? undefined : await interruption.race(io.outDrained());
        // Printed (stopped while stdout drains: the text is still written before exit), so accepted;
        // close() below carries whatever acknowledgement was not sent yet.
        for (const record of records) consumer.acknowledge(record, 'ACCEPT');
        if (drained === STOPPED) break;
        await interruption.race(sendAcknowledgements(consumer, io));
        // Explicit mode polls again only once every record of the last poll is acknowledged.
        if (records.length < polled.length) break;
      }
    } finally {
      interrupt.dispose();
      await consumer.close();
    }
    io.err(`Processed a total of ${received} records\n`);
    return ExitCode.OK;
  });
}

export function shareConsumeCommand(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  return withClientConnectionOptions(
    new Command('consume')
      .argument('<topic>')
      .summary('print records of a topic as a member of a share group (members split the records)')
      .description(
        'join a share group and print the records it hands this member, acknowledging (ACCEPT) each once printed; members of one group split the records between them. Runs until Ctrl-C, --count or --timeout-ms; unprinted records are released to the other members',
      )
      .requiredOption('--group <id>', 'the share group to join')
      .option('--count <n>', 'exit after n records')
      .option('--timeout-ms <ms>', 'exit when no record arrived for this long (default: wait for records until Ctrl-C)')
      .option(
        '--json',
        'one JSON object per record: {"partition","offset","timestamp","key","value","headers","deliveryCount"}',
      )
      .option('--print-key', 'print key<TAB>value instead of the value alone')
      .option('--base64', 'keys, values and header values in base64 instead of UTF-8 text (binary data)')
      .option(
        '--coordinators <host:port,...>',
        "group coordinator addresses (default: $SLUICE_COORDINATORS, else the local cluster's)",
      ),
  ).action(async (topic: string, options: ShareConsumeOptions) => {
    const plan = shareConsumePlan(topic, options);
    setExitCode(await shareConsume(plan, options, io));
  });
}
