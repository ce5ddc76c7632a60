/**
 * The contract's descriptors for gRPC server reflection: the FileDescriptorSet `buf build` made
 * (generated/descriptor-set.ts), split into one serialized FileDescriptorProto per .proto file.
 * Reflection clients (grpcurl, Postman) then see the real files: their names, snake_case fields
 * and comments.
 */
import { CONTRACT_DESCRIPTOR_SET_BASE64 } from './generated/descriptor-set';

/** FileDescriptorSet.file is field 1, length-delimited. */
const FILE_FIELD_TAG = (1 << 3) | 2;

function readVarint(buffer: Buffer, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  for (let i = at; i < buffer.length && shift <= 28; i++) {
    const byte = buffer[i] as number;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
    shift += 7;
  }
  throw new Error(`descriptor set: bad varint at byte ${at}`);
}

/** Splits a serialized FileDescriptorSet into its serialized FileDescriptorProtos (no copies). */
export function splitFileDescriptorSet(set: Buffer): Buffer[] {
  const files: Buffer[] = [];
  let at = 0;
  while (at < set.length) {
    const tag = readVarint(set, at);
    if (tag.value !== FILE_FIELD_TAG) throw new Error(`descriptor set: unexpected tag ${tag.value} at byte ${at}`);
    const length = readVarint(set, tag.next);
    const end = length.next + length.value;
    if (end > set.length) throw new Error(`descriptor set: file at byte ${at} runs past the end`);
    files.push(set.subarray(length.next, end));
    at = end;
  }
  return files;
}

let files: Buffer[] | undefined;

/** One serialized FileDescriptorProto per file of the contract (with its comments). */
export function contractFileDescriptorProtos(): Buffer[] {
  files ??= splitFileDescriptorSet(Buffer.from(CONTRACT_DESCRIPTOR_SET_BASE64, 'base64'));
  return files;
}

/**
 * What @grpc/reflection's ReflectionService reads from a package definition (every entry's
 * `fileDescriptorProtos`), carrying the contract's exact descriptors.
 */
export function contractReflectionDefinition(): Record<string, { fileDescriptorProtos: Buffer[] }> {
  return { 'sluice.contract': { fileDescriptorProtos: contractFileDescriptorProtos() } };
}
