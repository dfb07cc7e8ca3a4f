import { UsageError } from '../core/errors';

/** How an option's value is read. */
export type OptionType = 'flag' | 'string' | 'integer' | 'number';

/** Declares one `--name` option of a command. */
export interface OptionSpec {
  readonly type: OptionType;
  readonly description: string;
  /** Placeholder shown in help, e.g. "N" or "S". */
  readonly value?: string;
  /** For 'string' options, the accepted values. */
  readonly choices?: readonly string[];
}

/** Parsed command line: positional arguments and option values keyed by option name. */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Record<string, string | number | boolean | undefined>;
}

/** Parses `argv` against `specs`: `--name value`, `--name=value` and flags; throws UsageError on anything unknown. */
export function parseArgs(argv: readonly string[], specs: Record<string, OptionSpec>): ParsedArgs {
  const positionals: string[] = [];
  const options: Record<string, string | number | boolean | undefined> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown option --${name}`);
    if (spec.type === 'flag') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
      continue;
    }
    let raw: string | undefined = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined || (eq < 0 && raw.startsWith('--'))) throw new UsageError(`--${name} needs a value (${spec.value ?? 'value'})`);
    raw = raw.trim();
    if (spec.type === 'string') {
      if (spec.choices && !spec.choices.includes(raw)) {
        throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')} (got "${raw}")`);
      }
      options[name] = raw;
    } else {
      const value = Number(raw);
      if (raw === '' || !Number.isFinite(value)) throw new UsageError(`--${name} needs a number (got "${raw}")`);
      if (spec.type === 'integer' && !Number.isInteger(value)) throw new UsageError(`--${name} needs a whole number (got "${raw}")`);
      options[name] = value;
    }
  }
  return { positionals, options };
}

/** Formats option specs as help lines. */
export function formatOptions(specs: Record<string, OptionSpec>): string {
  return Object.entries(specs)
    .map(([name, spec]) => {
      const head = spec.type === 'flag' ? `--${name}` : `--${name} ${spec.choices ? spec.choices.join('|') : spec.value ?? 'VALUE'}`;
      return `  ${head.padEnd(34)} ${spec.description}`;
    })
    .join('\n');
}
