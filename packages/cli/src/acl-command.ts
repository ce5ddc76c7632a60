/**
 * `sluice acl add|list|remove`, Kafka's kafka-acls over the Admin API: ACLs bind a principal
 * (`--allow-principal` / `--deny-principal`), a host, operations and a resource (`--topic`,
 * `--group` or `--cluster`, LITERAL or `--resource-pattern-type prefixed`). `list` and `remove`
 * take the same flags as filters (absent = any). Output: one line per ACL, as kafka-acls prints.
 */
import type {
  AclBinding,
  AclFilter,
  AclOperation,
  AclPatternType,
  AclResourceType,
  DescribedAcl,
} from '@sluice/client';
import { CLUSTER_RESOURCE } from '@sluice/client';
import { Command } from 'commander';
import { withAdmin, withConnectionOptions, type ConnectionOptions } from './bootstrap';
import { ExitCode, UsageError } from './exit-codes';
import type { CliIo } from './io';

const OPERATIONS: readonly AclOperation[] = [
  'ALL',
  'READ',
  'WRITE',
  'CREATE',
  'DELETE',
  'ALTER',
  'DESCRIBE',
  'CLUSTER_ACTION',
  'DESCRIBE_CONFIGS',
  'ALTER_CONFIGS',
  'IDEMPOTENT_WRITE',
];

interface AclFlags extends ConnectionOptions {
  readonly allowPrincipal?: string[];
  readonly denyPrincipal?: string[];
  readonly principal?: string;
  readonly operation?: string[];
  readonly host?: string;
  readonly topic?: string;
  readonly group?: string;
  readonly cluster?: boolean;
  readonly resourcePatternType?: string;
  readonly json?: boolean;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Kafka's spelling (`Read`, `DescribeConfigs`) or ours (`READ`, `DESCRIBE_CONFIGS`). */
export function parseOperation(text: string): AclOperation {
  const upper = text.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
  if ((OPERATIONS as readonly string[]).includes(upper)) return upper as AclOperation;
  throw new UsageError(`--operation ${JSON.stringify(text)} is not one of ${OPERATIONS.join(', ')}`);
}

function resource(flags: AclFlags, required: boolean): { resourceType?: AclResourceType; resourceName?: string } {
  const given = [flags.topic, flags.group, flags.cluster === true ? CLUSTER_RESOURCE : undefined].filter(
    (value) => value !== undefined,
  );
  if (given.length > 1) throw new UsageError('give one of --topic, --group and --cluster');
  if (flags.topic !== undefined) return { resourceType: 'TOPIC', resourceName: flags.topic };
  if (flags.group !== undefined) return { resourceType: 'GROUP', resourceName: flags.group };
  if (flags.cluster === true) return { resourceType: 'CLUSTER', resourceName: CLUSTER_RESOURCE };
  if (required) throw new UsageError('an ACL needs a resource: --topic, --group or --cluster');
  return {};
}

function patternType(flags: AclFlags, allowMatch: boolean): AclPatternType | 'MATCH' | undefined {
  if (flags.resourcePatternType === undefined) return undefined;
  const upper = flags.resourcePatternType.toUpperCase();
  if (upper === 'LITERAL' || upper === 'PREFIXED' || (allowMatch && upper === 'MATCH')) return upper;
  throw new UsageError(
    `--resource-pattern-type must be literal or prefixed${allowMatch ? ' (or match)' : ''}, got ${JSON.stringify(flags.resourcePatternType)}`,
  );
}

export function bindingsFrom(flags: AclFlags): AclBinding[] {
  const { resourceType, resourceName } = resource(flags, true);
  const principals = [
    ...(flags.allowPrincipal ?? []).map((principal) => ({ principal, permission: 'ALLOW' as const })),
    ...(flags.denyPrincipal ?? []).map((principal) => ({ principal, permission: 'DENY' as const })),
  ];
  if (principals.length === 0) throw new UsageError('an ACL needs --allow-principal or --deny-principal');
  const operations = (flags.operation ?? []).map(parseOperation);
  if (operations.length === 0) throw new UsageError('an ACL needs at least one --operation');
  const pattern = patternType(flags, false) ?? 'LITERAL';
  return principals.flatMap(({ principal, permission }) =>
    operations.map((operation) => ({
      resourceType: resourceType as AclResourceType,
      resourceName: resourceName as string,
      patternType: pattern as AclPatternType,
      principal,
      host: flags.host ?? '*',
      operation,
      permission,
    })),
  );
}

export function filterFrom(flags: AclFlags): AclFilter {
  const { resourceType, resourceName } = resource(flags, false);
  const operations = (flags.operation ?? []).map(parseOperation);
  if (operations.length > 1) throw new UsageError('list and remove take at most one --operation');
  const pattern = patternType(flags, true);
  return {
    ...(resourceType === undefined ? {} : { resourceType }),
    ...(resourceName === undefined ? {} : { resourceName }),
    ...(pattern === undefined ? {} : { patternType: pattern }),
    ...(flags.principal === undefined ? {} : { principal: flags.principal }),
    ...(flags.host === undefined ? {} : { host: flags.host }),
    ...(operations[0] === undefined ? {} : { operation: operations[0] }),
  };
}

/** kafka-acls' line: `(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)` under its resource. */
export function formatAcls(acls: readonly DescribedAcl[]): string {
  const byResource = new Map<string, DescribedAcl[]>();
  for (const acl of acls) {
    const key = `ResourcePattern(resourceType=${acl.resourceType}, name=${acl.resourceName}, patternType=${acl.patternType})`;
    byResource.set(key, [...(byResource.get(key) ?? []), acl]);
  }
  const lines: string[] = [];
  for (const [key, entries] of [...byResource].sort(([a], [b]) => (a < b ? -1 : 1))) {
    lines.push(`Current ACLs for resource \`${key}\`:`);
    for (const acl of entries)
      lines.push(
        ` \t(principal=${acl.principal}, host=${acl.host}, operation=${acl.operation}, permissionType=${acl.permission})`,
      );
    lines.push('');
  }
  return lines.length === 0 ? 'No ACLs.\n' : `${lines.join('\n')}\n`;
}

function resourceFlags(command: Command): Command {
  return command
    .option('--topic <name>', 'a topic (or * for every topic, or a prefix with --resource-pattern-type prefixed)')
    .option('--group <name>', 'a consumer or share group (or *, or a prefix)')
    .option('--cluster', 'the cluster resource (kafka-cluster)')
    .option('--resource-pattern-type <type>', 'literal (default) or prefixed; list/remove also take match')
    .option('--host <ip>', 'the host the ACL is for (default *)');
}

export function aclCommand(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  const acl = new Command('acl').description("ACLs in the metadata log (Kafka's kafka-acls)");
  withConnectionOptions(
    resourceFlags(
      acl
        .command('add')
        .description('add ACLs: each --allow-principal / --deny-principal for each --operation on the resource')
        .option('--allow-principal <principal>', 'User:<name> allowed (repeatable)', collect)
        .option('--deny-principal <principal>', 'User:<name> denied (repeatable; deny wins)', collect)
        .option(
          '--operation <op>',
          'Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite, All (repeatable)',
          collect,
        ),
    ),
  ).action(async (flags: AclFlags) => {
    const bindings = bindingsFrom(flags);
    setExitCode(
      await withAdmin(flags, io, async (admin) => {
        const results = await admin.createAcls(bindings);
        let failed = false;
        for (const result of results) {
          if (result.error !== undefined) {
            failed = true;
            io.err(`error: ${result.error.errorName}: ${result.error.message}\n`);
          }
        }
        io.out(formatAcls(results.filter((r) => r.error === undefined).map((r) => bindingOf(r.binding))));
        return failed ? ExitCode.FAILURE : ExitCode.OK;
      }),
    );
  });
  withConnectionOptions(
    resourceFlags(
      acl
        .command('list')
        .description('the ACLs matching the flags (none: every ACL)')
        .option('--principal <principal>', 'only this principal')
        .option('--operation <op>', 'only this operation', collect)
        .option('--json', 'one JSON array instead of text'),
    ),
  ).action(async (flags: AclFlags) => {
    const filter = filterFrom(flags);
    setExitCode(
      await withAdmin(flags, io, async (admin) => {
        const acls = await admin.describeAcls(filter);
        io.out(flags.json === true ? `${JSON.stringify(acls, null, 2)}\n` : formatAcls(acls));
        return ExitCode.OK;
      }),
    );
  });
  withConnectionOptions(
    resourceFlags(
      acl
        .command('remove')
        .description('remove every ACL matching the flags (a resource or --principal is required)')
        .option('--principal <principal>', 'only this principal')
        .option('--operation <op>', 'only this operation', collect),
    ),
  ).action(async (flags: AclFlags) => {
    const filter = filterFrom(flags);
    if (filter.resourceType === undefined && filter.principal === undefined)
      throw new UsageError('remove needs a resource (--topic, --group, --cluster) or --principal');
    setExitCode(
      await withAdmin(flags, io, async (admin) => {
        const [result] = await admin.deleteAcls([filter]);
        if (result?.error !== undefined) {
          io.err(`error: ${result.error.errorName}: ${result.error.message}\n`);
          return ExitCode.FAILURE;
        }
        io.out(`Removed ${result?.deleted.length ?? 0} ACLs.\n${formatAcls(result?.deleted ?? [])}`);
        return ExitCode.OK;
      }),
    );
  });
  return acl;
}

function bindingOf(binding: AclBinding): DescribedAcl {
  return {
    resourceType: binding.resourceType,
    resourceName: binding.resourceName,
    patternType: binding.patternType ?? 'LITERAL',
    principal: binding.principal,
    host: binding.host ?? '*',
    operation: binding.operation,
    permission: binding.permission ?? 'ALLOW',
  };
}
