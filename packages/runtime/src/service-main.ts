/**
 * The process shell every service's `main.ts` shares: parse `--config FILE [--override k=v ...]`,
 * load the configuration, start, and stop cleanly on SIGTERM / SIGINT.
 *
 * Exit codes are the operator's contract: 2 for a bad command line, 1 with one clear line on
 * stderr for a refusal (bad configuration, unformatted or foreign directories, another cluster),
 * 0 after a clean stop, 1 after an unclean or stuck one. A stop is bounded by `stopTimeoutMs`: a
 * hung close must not keep a process the operator asked to stop.
 */
import { ConfigError } from './config';
import type { Loggers } from './logger';
import { MetaPropertiesError } from './meta-properties';
import { parseServiceArgs, type ServiceArgs } from './service-args';
import { shutdownTracing } from './tracing-bootstrap';

/** A reason not to start, said in one line (exit 1). Config and meta.properties errors count too. */
export class ServiceRefusal extends Error {
  override readonly name = 'ServiceRefusal';
}

export interface StartedService {
  /** Stops serving; resolves once everything is closed. */
  close(): Promise<void>;
  /** Fields of the "ready" log line (address, ports, ...). */
  readonly ready: Record<string, unknown>;
}

export interface ServiceMainSpec<Config> {
  /** `controller`, `broker` or `coordinator`: the name in messages. */
  readonly service: string;
  readonly usage: string;
  /** Loads and checks the configuration; throws ConfigError, MetaPropertiesError or ServiceRefusal to refuse. */
  load(args: ServiceArgs): Config | Promise<Config>;
  loggers(config: Config): Loggers;
  /** Starts the service; throws ServiceRefusal to refuse (exit 1). */
  start(config: Config, loggers: Loggers): Promise<StartedService>;
  /** Longest a stop may take before the process exits 1 anyway. */
  readonly stopTimeoutMs: number;
}

function isRefusal(error: unknown): error is Error {
  return error instanceof ConfigError || error instanceof MetaPropertiesError || error instanceof ServiceRefusal;
}

/** Runs a service process to completion; call it once from `main.ts`. */
export function runServiceMain<Config>(spec: ServiceMainSpec<Config>): void {
  const refuse = (error: Error): void => {
    process.stderr.write(`sluice ${spec.service}: refusing to start: ${error.message}\n`);
    process.exitCode = 1;
  };
  const main = async (): Promise<void> => {
    const args = parseServiceArgs(process.argv.slice(2), spec.usage);
    if (typeof args === 'string') {
      process.stderr.write(`${args}\n`);
      process.exitCode = args === spec.usage ? 0 : 2;
      return;
    }
    let config: Config;
    try {
      config = await spec.load(args);
    } catch (error) {
      if (isRefusal(error)) return refuse(error);
      throw error;
    }
    const loggers = spec.loggers(config);
    let started: StartedService;
    try {
      started = await spec.start(config, loggers);
    } catch (error) {
      if (error instanceof ServiceRefusal) {
        loggers.flush();
        return refuse(error);
      }
      throw error;
    }
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      loggers.log.info({ signal }, 'stopping');
      const force = setTimeout(() => process.exit(1), spec.stopTimeoutMs);
      force.unref();
      // Spans still batched by the OpenTelemetry SDK are exported before the process exits.
      started
        .close()
        .then(
          () => 0,
          (error: unknown) => {
            loggers.log.error({ err: error }, 'unclean stop');
            return 1;
          },
        )
        .then(async (exitCode) => {
          await shutdownTracing();
          loggers.flush();
          process.exit(exitCode);
        });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    loggers.log.info({ ...started.ready, pid: process.pid }, `${spec.service} ready`);
  };
  main().catch((error: unknown) => {
    process.stderr.write(
      `sluice ${spec.service}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
