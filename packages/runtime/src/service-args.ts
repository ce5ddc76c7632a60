/**
 * The command line every service's main.js takes: `--config FILE [--override key=value ...]`.
 * Returns the parsed arguments, or the text to print: `usage` itself for --help (exit 0), or
 * what was wrong followed by `usage` (exit 2).
 */
export interface ServiceArgs {
  readonly config: string;
  readonly overrides: Record<string, string>;
}

export function parseServiceArgs(argv: readonly string[], usage: string): ServiceArgs | string {
  let config: string | undefined;
  const overrides: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return usage;
    const value = argv[i + 1];
    if (arg === '--config' && value !== undefined) {
      config = value;
      i++;
    } else if (arg === '--override' && value !== undefined && value.includes('=')) {
      overrides[value.slice(0, value.indexOf('='))] = value.slice(value.indexOf('=') + 1);
      i++;
    } else {
      return `unknown or incomplete argument ${JSON.stringify(arg)}\n${usage}`;
    }
  }
  if (config === undefined) return `missing --config <file>\n${usage}`;
  return { config, overrides };
}
