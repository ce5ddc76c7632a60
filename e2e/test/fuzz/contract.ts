/**
 * The contract as the fuzzer sees it: every RPC of every service, straight from the loaded
 * descriptors (@sluice/proto's package definition, the same one the servers route with), and
 * fast-check arbitraries of request messages derived from those descriptors field by field.
 *
 * Values lean on what makes a server take a different path: boundaries (0, -1, int32 and int64
 * limits), names that exist in the cluster under test (a topic, a group, the cluster id, a broker
 * id) next to random and oversized ones, record batches that decode next to random bytes, and
 * repeated fields from empty to a few entries. Depth is bounded, so every value is finite.
 */
import fc from 'fast-check';
import type { contractPackageDefinition } from '../../../packages/proto/src';

type PackageDefinition = ReturnType<typeof contractPackageDefinition>;

/** One RPC: where it is served and how its messages cross the wire. */
export interface ContractRpc {
  readonly service: string;
  readonly method: string;
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly requestType: string;
  readonly serialize: (value: object) => Buffer;
  readonly deserializeRequest: (bytes: Buffer) => unknown;
  readonly deserializeResponse: (bytes: Buffer) => unknown;
}

interface FieldDescriptor {
  readonly name: string;
  readonly label: string;
  readonly type: string;
  readonly typeName: string;
}

interface MessageDescriptor {
  readonly name: string;
  readonly field: readonly FieldDescriptor[];
  readonly nestedType: readonly MessageDescriptor[];
  readonly enumType: readonly { readonly value: readonly { readonly name: string }[] }[];
  readonly options: { readonly mapEntry?: boolean } | null;
}

interface MethodDefinition {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly requestSerialize: (value: object) => Buffer;
  readonly requestDeserialize: (bytes: Buffer) => unknown;
  readonly responseDeserialize: (bytes: Buffer) => unknown;
  readonly requestType: { readonly type: MessageDescriptor };
}

/** Every RPC of the services named (fully qualified, e.g. `sluice.v1.Broker`). */
export function contractRpcs(definition: PackageDefinition, services: readonly string[]): ContractRpc[] {
  const rpcs: ContractRpc[] = [];
  for (const service of services) {
    const methods = definition[service] as unknown as Record<string, MethodDefinition> | undefined;
    if (methods === undefined) throw new Error(`service ${service} is not in the contract`);
    for (const [method, rpc] of Object.entries(methods)) {
      rpcs.push({
        service,
        method,
        path: rpc.path,
        requestStream: rpc.requestStream,
        responseStream: rpc.responseStream,
        requestType: `${service.slice(0, service.lastIndexOf('.'))}.${rpc.requestType.type.name}`,
        serialize: (value) => rpc.requestSerialize(value),
        deserializeRequest: (bytes) => rpc.requestDeserialize(bytes),
        deserializeResponse: (bytes) => rpc.responseDeserialize(bytes),
      });
    }
  }
  return rpcs;
}

/** What the cluster under test has, so generated requests hit real names as often as made-up ones. */
export interface FuzzPools {
  readonly strings: readonly string[];
  readonly int32s: readonly number[];
  readonly int64s: readonly string[];
  /** Valid RecordBatch bytes (and other well-formed payloads: encoded Raft messages, snapshots). */
  readonly payloads: readonly Buffer[];
}

const INT32_EDGES = [0, 1, -1, -2, 2, 3, 100, 2 ** 31 - 1, -(2 ** 31), 1_000_000];
const UINT32_EDGES = [0, 1, 65_535, 65_536, 2 ** 32 - 1];
const INT64_EDGES = [
  '0',
  '1',
  '-1',
  '-2',
  '9007199254740991',
  '9007199254740993',
  '9223372036854775807',
  '-9223372036854775808',
];
/** Nesting below this depth leaves message fields unset. */
const MAX_DEPTH = 4;

export class ArbitraryFactory {
  private readonly cache = new Map<string, fc.Arbitrary<object>>();

  constructor(
    private readonly definition: PackageDefinition,
    private readonly pools: FuzzPools,
  ) {}

  /** Request messages of `typeName` (fully qualified, e.g. `sluice.v1.ProduceRequest`). */
  message(typeName: string): fc.Arbitrary<object> {
    return this.messageAt(typeName, 0);
  }

  private descriptor(typeName: string): MessageDescriptor {
    const entry = this.definition[typeName] as unknown as { type?: MessageDescriptor } | undefined;
    if (entry?.type === undefined) throw new Error(`message ${typeName} is not in the contract`);
    return entry.type;
  }

  private messageAt(typeName: string, depth: number): fc.Arbitrary<object> {
    const key = `${typeName}@${depth}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const descriptor = this.descriptor(typeName);
    const pkg = typeName.slice(0, typeName.lastIndexOf('.'));
    const fields: Record<string, fc.Arbitrary<unknown>> = {};
    for (const field of descriptor.field) {
      const arbitrary = this.field(field, descriptor, pkg, depth);
      if (arbitrary !== null) fields[field.name] = arbitrary;
    }
    // Any subset of the fields set: an absent field is its proto3 default on the wire.
    const built = fc.record(fields, { requiredKeys: [] }) as fc.Arbitrary<object>;
    this.cache.set(key, built);
    return built;
  }

  private field(
    field: FieldDescriptor,
    owner: MessageDescriptor,
    pkg: string,
    depth: number,
  ): fc.Arbitrary<unknown> | null {
    if (field.type === 'TYPE_MESSAGE') {
      const nested = owner.nestedType.find((type) => type.name === field.typeName);
      if (nested?.options?.mapEntry === true) {
        const valueField = nested.field.find((f) => f.name === 'value') as FieldDescriptor;
        const value = this.scalar(valueField, nested);
        return fc.dictionary(this.string(), value ?? fc.constant(''), { maxKeys: 4 });
      }
      if (depth >= MAX_DEPTH) return null;
      const typeName = field.typeName.includes('.') ? field.typeName.replace(/^\./, '') : `${pkg}.${field.typeName}`;
      const element = this.messageAt(typeName, depth + 1);
      return field.label === 'LABEL_REPEATED'
        ? fc.array(element, { maxLength: depth === 0 ? 4 : 3 })
        : fc.option(element, { nil: null });
    }
    const scalar = this.scalar(field, owner);
    if (scalar === null) return null;
    return field.label === 'LABEL_REPEATED' ? fc.array(scalar, { maxLength: 6 }) : scalar;
  }

  private string(): fc.Arbitrary<string> {
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...this.pools.strings) },
      { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('', ' ', '.', '..', '-', 'a'.repeat(250), 'b'.repeat(5_000), '\u0000', '%s'),
      },
    );
  }

  private scalar(field: FieldDescriptor, owner: MessageDescriptor): fc.Arbitrary<unknown> | null {
    switch (field.type) {
      case 'TYPE_STRING':
        return this.string();
      case 'TYPE_BOOL':
        return fc.boolean();
      case 'TYPE_INT32':
      case 'TYPE_SINT32':
      case 'TYPE_SFIXED32':
        return fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...INT32_EDGES, ...this.pools.int32s) },
          { weight: 2, arbitrary: fc.integer({ min: -3, max: 64 }) },
          { weight: 1, arbitrary: fc.integer() },
        );
      case 'TYPE_UINT32':
      case 'TYPE_FIXED32':
        return fc.oneof(fc.constantFrom(...UINT32_EDGES, ...this.pools.int32s.filter((n) => n >= 0)), fc.nat());
      case 'TYPE_INT64':
      case 'TYPE_UINT64':
      case 'TYPE_SINT64':
      case 'TYPE_FIXED64':
      case 'TYPE_SFIXED64':
        return fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...INT64_EDGES, ...this.pools.int64s) },
          { weight: 2, arbitrary: fc.integer({ min: -3, max: 10_000 }).map(String) },
          { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String) },
        );
      case 'TYPE_BYTES':
        return fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...this.pools.payloads) },
          { weight: 2, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)) },
          { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
        );
      case 'TYPE_ENUM': {
        const values = owner.enumType.flatMap((type) => type.value.map((value) => value.name));
        return values.length === 0 ? null : fc.constantFrom(...values);
      }
      default:
        return null;
    }
  }
}

/**
 * Byte-level mutations of a valid encoding: bit flips, cuts, inserted or duplicated runs, and
 * overlong varints, so the server's decoder meets what a broken or hostile client sends.
 */
export function mutatedBytes(valid: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> {
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
    fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
    fc.record({ kind: fc.constant('varint' as const), at: fc.nat() }),
  );
  return fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([bytes, mutations]) => {
    let out = Buffer.from(bytes);
    for (const m of mutations) {
      const at = out.length === 0 ? 0 : m.at % (out.length + 1);
      switch (m.kind) {
        case 'flip':
          if (out.length > 0) out[at % out.length] = (out[at % out.length] as number) ^ (1 << m.bit);
          break;
        case 'cut':
          out = out.subarray(0, at);
          break;
        case 'insert':
          out = Buffer.concat([out.subarray(0, at), Buffer.from(m.bytes), out.subarray(at)]);
          break;
        case 'repeat':
          out = Buffer.concat([out.subarray(0, at + m.length), out.subarray(at)]);
          break;
        case 'varint':
          // Ten continuation bytes: a varint longer than any 64-bit value.
          out = Buffer.concat([out.subarray(0, at), Buffer.alloc(10, 0xff), out.subarray(at)]);
          break;
      }
    }
    return out;
  });
}
