/** Thrown when an invariant of a broker core breaks: a bug, never bad input from a peer. */
export class BrokerInvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrokerInvariantError';
  }
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new BrokerInvariantError(message);
}

export function assertOffset(value: number, what: string): void {
  assert(Number.isSafeInteger(value) && value >= 0, `${what} ${value} must be a non-negative safe integer`);
}

export function assertInt32Epoch(value: number, what: string): void {
  assert(Number.isInteger(value) && value >= 0 && value <= 0x7fffffff, `${what} ${value} must be a non-negative int32`);
}
