/** Command-line flags of the benches: `--name value`, comma-separated integer lists. */

/** The value after `name` on the command line, or undefined. */
export function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** `name a,b,c` as integers of at least `min` (underscores allowed: 10_000); `fallback` when absent. */
export function intListFlag(name: string, fallback: readonly number[], min = 1): number[] {
  const text = flag(name);
  if (text === undefined) return [...fallback];
  return text.split(',').map((part) => {
    const value = Number(part.replace(/_/g, ''));
    if (!Number.isSafeInteger(value) || value < min)
      throw new RangeError(
        min === 1
          ? `${name} ${text} is not a list of positive integers`
          : `${name} ${text} is not a list of integers >= ${min}`,
      );
    return value;
  });
}

/** `name n` as one integer of at least `min`; `fallback` when absent. */
export function intFlag(name: string, fallback: number, min = 1): number {
  return intListFlag(name, [fallback], min)[0] as number;
}
