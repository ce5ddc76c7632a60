/**
 * Assertions for invariants the core itself must keep (TIGER_STYLE). A failed assertion is a
 * bug in the controller, never a bad request: bad requests get an ApiError instead.
 */
export class ControllerAssertionError extends Error {
  override readonly name = 'ControllerAssertionError';
}

export function assert(condition: boolean, message: string | (() => string)): asserts condition {
  if (!condition) throw new ControllerAssertionError(`assertion: ${typeof message === 'string' ? message : message()}`);
}
