/**
 * A small schema checker for messages that cross from a less trusted side (a webview, a notebook renderer): each
 * schema describes exactly what a value may be, with bounds on every string, number and array, and objects are
 * closed (no key beyond the listed ones, own data properties only, plain prototypes only). No dependencies, no
 * `vscode` or Node imports, so both runtimes can use it.
 */

/** Describes the values of type `T`; `check` returns the first problem (naming where it is), or undefined when valid. */
export interface Schema<T> {
  /** What the schema accepts, for messages ("a string of at most 4096 characters"). */
  readonly description: string;
  check(value: unknown, at: string): string | undefined;
  /** Carries the accepted type for inference only; never set. */
  readonly _type?: T;
}

/** The type a schema accepts. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

/** Thrown by {@link parse} when a value does not match its schema. */
export class ValidationError extends Error {
  constructor(readonly problem: string) {
    super(problem);
    this.name = 'ValidationError';
  }
}

function schema<T>(description: string, check: (value: unknown, at: string) => string | undefined): Schema<T> {
  return { description, check };
}

function got(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** A string of at most `maxLength` UTF-16 code units (and at least `minLength`, default 0). */
export function string(options: { readonly maxLength: number; readonly minLength?: number }): Schema<string> {
  const min = options.minLength ?? 0;
  const description = `a string of ${min > 0 ? `${min} to ` : 'at most '}${options.maxLength} characters`;
  return schema(description, (value, at) =>
    typeof value === 'string' && value.length <= options.maxLength && value.length >= min ? undefined : `${at} must be ${description}, not ${got(value)}`,
  );
}

/** Longest file path accepted from a webview or renderer, in characters (far above any real path). */
export const MAX_PATH_LENGTH = 4096;

/** A file path as a message carries it: a non-empty string of at most {@link MAX_PATH_LENGTH} characters. */
export function filePath(): Schema<string> {
  return string({ minLength: 1, maxLength: MAX_PATH_LENGTH });
}

/** A finite number in [min, max]; with `integer`, a whole number. */
export function number(options: { readonly min: number; readonly max: number; readonly integer?: boolean }): Schema<number> {
  const description = `${options.integer ? 'an integer' : 'a number'} from ${options.min} to ${options.max}`;
  return schema(description, (value, at) =>
    typeof value === 'number' && Number.isFinite(value) && value >= options.min && value <= options.max && (!options.integer || Number.isInteger(value))
      ? undefined
      : `${at} must be ${description}, not ${typeof value === 'number' ? String(value) : got(value)}`,
  );
}

/** true or false. */
export function boolean(): Schema<boolean> {
  return schema('true or false', (value, at) => (typeof value === 'boolean' ? undefined : `${at} must be true or false, not ${got(value)}`));
}

/** One of a fixed list of strings or numbers. */
export function oneOf<const T extends string | number>(values: readonly T[]): Schema<T> {
  const description = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  return schema(description, (value, at) => ((values as readonly unknown[]).includes(value) ? undefined : `${at} must be ${description}`));
}

/** An array of at most `maxItems` items, each matching `item`. */
export function array<T>(item: Schema<T>, options: { readonly maxItems: number }): Schema<T[]> {
  const description = `a list of at most ${options.maxItems} items`;
  return schema(description, (value, at) => {
    if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype) return `${at} must be ${description}, not ${got(value)}`;
    if (value.length > options.maxItems) return `${at} must be ${description}, not ${value.length}`;
    for (let i = 0; i < value.length; i++) {
      if (!Object.prototype.hasOwnProperty.call(value, i)) return `${at}[${i}] is missing`;
      const problem = item.check(value[i], `${at}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  });
}

/** Whether `value` is a plain object: created by an object literal or JSON (or with a null prototype), not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

type Shape = Record<string, Schema<unknown>>;
type ObjectOf<S extends Shape, O extends keyof S> = { [K in Exclude<keyof S, O>]: Infer<S[K]> } & { [K in O]?: Infer<S[K]> };

/**
 * A plain object with exactly the keys of `shape` (those in `optional` may be absent): any other key, including
 * `__proto__` or `constructor` as own keys, accessors, symbols, or a non-plain prototype, is refused.
 */
export function object<S extends Shape, O extends keyof S & string = never>(shape: S, options: { readonly optional?: readonly O[] } = {}): Schema<ObjectOf<S, NoInfer<O>>> {
  const keys = Object.keys(shape);
  const optional = new Set<string>(options.optional ?? []);
  const description = keys.length === 0 ? 'an empty object' : `an object with ${keys.join(', ')}`;
  return schema(description, (value, at) => {
    if (!isPlainObject(value)) return `${at} must be ${description}, not ${got(value)}`;
    if (Object.getOwnPropertySymbols(value).length > 0) return `${at} has symbol keys`;
    for (const key of Object.getOwnPropertyNames(value)) {
      if (!Object.prototype.hasOwnProperty.call(shape, key)) return `${at} has an unexpected key ${JSON.stringify(key.slice(0, 64))}`;
      const property = Object.getOwnPropertyDescriptor(value, key);
      if (!property || !('value' in property)) return `${at}.${key} is not a plain value`;
    }
    for (const key of keys) {
      const present = Object.prototype.hasOwnProperty.call(value, key);
      if (!present) {
        if (optional.has(key)) continue;
        return `${at}.${key} is missing`;
      }
      const problem = shape[key].check(value[key], `${at}.${key}`);
      if (problem) return problem;
    }
    return undefined;
  });
}

/** Returns `value` typed by `schema`, or throws a {@link ValidationError} naming the first problem. */
export function parse<T>(schema: Schema<T>, value: unknown, at = 'value'): T {
  const problem = schema.check(value, at);
  if (problem) throw new ValidationError(problem);
  return value as T;
}
