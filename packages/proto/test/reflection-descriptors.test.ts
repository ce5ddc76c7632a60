import { CONTRACT_PROTO_FILES, contractFileDescriptorProtos, splitFileDescriptorSet } from '../src';

/** The `name` (field 1, a string) of a serialized FileDescriptorProto. */
function fileName(descriptor: Buffer): string {
  expect(descriptor[0]).toBe((1 << 3) | 2);
  const length = descriptor[1] as number;
  return descriptor.subarray(2, 2 + length).toString('utf8');
}

describe("the contract's descriptors for reflection", () => {
  it('hold every .proto file of the contract under its real name, with comments', () => {
    const files = contractFileDescriptorProtos();
    expect(files.map(fileName).sort()).toEqual([...CONTRACT_PROTO_FILES].sort());
    const broker = files.find((file) => fileName(file) === 'sluice/v1/broker.proto')!.toString('latin1');
    // snake_case field names as written, and the comments (source info).
    expect(broker).toContain('fetch_offset');
    expect(broker).toContain('Long poll: answers once min_bytes are available');
  });

  it('refuse a malformed set instead of guessing', () => {
    expect(() => splitFileDescriptorSet(Buffer.from([0x0a, 0x05, 0x01]))).toThrow(/runs past the end/);
    expect(() => splitFileDescriptorSet(Buffer.from([0x10, 0x01]))).toThrow(/unexpected tag/);
  });
});
