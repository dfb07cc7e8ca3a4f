import { UsageError } from '../errors';
import {
  AUGMENT_PRESETS,
  AUGMENT_STEP_NAMES,
  type AugmentPlan,
  type AugmentStepName,
  type ValueRange,
} from './plan';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** Returns a problem description, or undefined when the value is acceptable. */
type Check = (value: number) => string | undefined;

const probability: Check = (v) => (v >= 0 && v <= 1 ? undefined : 'it must be between 0 and 1');
const positive: Check = (v) => (v > 0 ? undefined : 'it must be above 0');
const atLeastZero: Check = (v) => (v >= 0 ? undefined : 'it must not be negative');
const between = (low: number, high: number): Check => (v) => (v >= low && v <= high ? undefined : `it must be between ${low} and ${high}`);

/** The key=value fields of one step, read with defaults and checks that name the bad part in their errors. */
class StepFields {
  constructor(
    private readonly step: string,
    private readonly fields: Map<string, string>,
  ) {}

  private fail(key: string, what: string, problem: string): never {
    throw new UsageError(`bad ${what} "${key}=${this.fields.get(key)}" in step "${this.step}": ${problem}`);
  }

  private parseNumber(key: string, what: string, text: string, check?: Check): number {
    const value = NUMBER.test(text) ? Number(text) : Number.NaN;
    if (!Number.isFinite(value)) this.fail(key, what, `"${text}" is not a number`);
    const problem = check?.(value);
    if (problem) this.fail(key, what, problem.replace('it', String(value)));
    return value;
  }

  number(key: string, fallback: number, check?: Check): number {
    const text = this.fields.get(key);
    return text === undefined ? fallback : this.parseNumber(key, 'number', text, check);
  }

  /** `low..high`, or one number for a fixed value. */
  range(key: string, fallback: ValueRange, check?: Check): ValueRange {
    const text = this.fields.get(key);
    if (text === undefined) return fallback;
    const dots = text.indexOf('..');
    const low = this.parseNumber(key, 'range', dots < 0 ? text : text.slice(0, dots), check);
    const high = dots < 0 ? low : this.parseNumber(key, 'range', text.slice(dots + 2), check);
    if (low > high) this.fail(key, 'range', `the low end ${low} is above the high end ${high}`);
    return { low, high };
  }

  /** `COUNTxWIDTH`, both whole numbers ≥ 0. */
  masks(key: string, fallback: readonly [number, number]): readonly [number, number] {
    const text = this.fields.get(key);
    if (text === undefined) return fallback;
    const match = /^(\d+)x(\d+)$/.exec(text);
    if (!match) this.fail(key, 'mask size', 'write it as COUNTxWIDTH, e.g. 2x20');
    return [Number(match[1]), Number(match[2])];
  }

  text(key: string): string | undefined {
    return this.fields.get(key);
  }
}

/** How to read and write one step: its keys, a reader from fields, a writer to `key=value` parts. */
interface StepSyntax<K extends AugmentStepName> {
  readonly keys: readonly string[];
  read(fields: StepFields): NonNullable<AugmentPlan[K]>;
  write(step: NonNullable<AugmentPlan[K]>): string[];
}

const rangeText = (range: ValueRange): string => `${range.low}..${range.high}`;

const SYNTAX: { readonly [K in AugmentStepName]: StepSyntax<K> } = {
  stretch: {
    keys: ['p', 'rate'],
    read: (f) => ({ p: f.number('p', 1, probability), rate: f.range('rate', { low: 0.9, high: 1.1 }, between(0.25, 4)) }),
    write: (s) => [`rate=${rangeText(s.rate)}`],
  },
  pitch: {
    keys: ['p', 'semitones'],
    read: (f) => ({ p: f.number('p', 1, probability), semitones: f.range('semitones', { low: -2, high: 2 }, between(-24, 24)) }),
    write: (s) => [`semitones=${rangeText(s.semitones)}`],
  },
  reverb: {
    keys: ['p', 'rt60', 'wet'],
    read: (f) => ({
      p: f.number('p', 1, probability),
      rt60Seconds: f.range('rt60', { low: 0.2, high: 0.8 }, (v) => positive(v) ?? between(0, 10)(v)),
      wet: f.range('wet', { low: 0.1, high: 0.4 }, probability),
    }),
    write: (s) => [`rt60=${rangeText(s.rt60Seconds)}`, `wet=${rangeText(s.wet)}`],
  },
  shift: {
    keys: ['p', 'max'],
    read: (f) => ({ p: f.number('p', 1, probability), maxSeconds: f.number('max', 0.2, atLeastZero) }),
    write: (s) => [`max=${s.maxSeconds}`],
  },
  noise: {
    keys: ['p', 'snr', 'type', 'dir'],
    read: (f) => {
      const p = f.number('p', 1, probability);
      const snrDb = f.range('snr', { low: 10, high: 30 });
      const dir = f.text('dir');
      const type = f.text('type') ?? (dir === undefined ? 'white' : 'files');
      if (type !== 'white' && type !== 'pink' && type !== 'files') {
        throw new UsageError(`bad noise type "type=${type}" in step "noise": use white, pink or files`);
      }
      if (type === 'files' && !dir) throw new UsageError('step "noise" with type=files needs dir=FOLDER of noise WAV files');
      if (type !== 'files' && dir !== undefined) throw new UsageError(`step "noise" takes dir= only with type=files (got type=${type})`);
      return dir === undefined ? { p, snrDb, type } : { p, snrDb, type, dir };
    },
    write: (s) => {
      if (s.dir?.includes(',')) throw new UsageError(`noise folder "${s.dir}" contains a comma, which an augmentation spec cannot hold`);
      return [`snr=${rangeText(s.snrDb)}`, `type=${s.type}`, ...(s.dir === undefined ? [] : [`dir=${s.dir}`])];
    },
  },
  gain: {
    keys: ['p', 'db'],
    read: (f) => ({ p: f.number('p', 1, probability), db: f.range('db', { low: -6, high: 6 }) }),
    write: (s) => [`db=${rangeText(s.db)}`],
  },
  specaugment: {
    keys: ['p', 'time', 'freq'],
    read: (f) => {
      const [timeMasks, maxTimeWidth] = f.masks('time', [2, 20]);
      const [freqMasks, maxFreqWidth] = f.masks('freq', [2, 12]);
      return { p: f.number('p', 1, probability), timeMasks, maxTimeWidth, freqMasks, maxFreqWidth };
    },
    write: (s) => [`time=${s.timeMasks}x${s.maxTimeWidth}`, `freq=${s.freqMasks}x${s.maxFreqWidth}`],
  },
  mixup: {
    keys: ['p', 'alpha'],
    read: (f) => ({ p: f.number('p', 1, probability), alpha: f.number('alpha', 0.2, positive) }),
    write: (s) => [`alpha=${s.alpha}`],
  },
};

function isStepName(name: string): name is AugmentStepName {
  return (AUGMENT_STEP_NAMES as readonly string[]).includes(name);
}

/** Splits `name:key=value:…` into the name and its fields; a part without "=" after dir= continues the folder path. */
function splitStep(part: string): { name: string; fields: Map<string, string> } {
  const [head, ...rest] = part.split(':');
  const name = head.trim();
  const fields = new Map<string, string>();
  let previous: string | undefined;
  for (const segment of rest) {
    const eq = segment.indexOf('=');
    if (eq < 0 && previous === 'dir') {
      fields.set('dir', `${fields.get('dir')}:${segment}`);
      continue;
    }
    if (eq <= 0) throw new UsageError(`bad part "${segment}" in step "${part}": write options as key=value`);
    const key = segment.slice(0, eq).trim();
    if (fields.has(key)) throw new UsageError(`option "${key}" is given twice in step "${part}"`);
    fields.set(key, segment.slice(eq + 1).trim());
    previous = key;
  }
  return { name, fields };
}

function parseSteps(spec: string): AugmentPlan {
  const plan: Record<string, unknown> = {};
  if (spec === '') return plan;
  for (const rawPart of spec.split(',')) {
    const part = rawPart.trim();
    if (part === '') throw new UsageError(`empty step in augmentation spec "${spec}"`);
    const { name, fields } = splitStep(part);
    if (Object.hasOwn(AUGMENT_PRESETS, name)) {
      throw new UsageError(`preset "${name}" must be the whole augmentation spec, not one step of "${spec}"`);
    }
    if (!isStepName(name)) {
      throw new UsageError(
        `unknown augmentation step "${name}" (steps: ${AUGMENT_STEP_NAMES.join(', ')}; presets: ${Object.keys(AUGMENT_PRESETS).join(', ')})`,
      );
    }
    if (plan[name]) throw new UsageError(`step "${name}" appears twice in augmentation spec "${spec}"`);
    const syntax = SYNTAX[name];
    for (const key of fields.keys()) {
      if (!syntax.keys.includes(key)) {
        throw new UsageError(`unknown option "${key}" in step "${name}" (options: ${syntax.keys.join(', ')})`);
      }
    }
    plan[name] = syntax.read(new StepFields(name, fields));
  }
  return plan as AugmentPlan;
}

/**
 * Parses an augmentation spec: a preset name (none, light, standard, strong) or comma-separated steps, each `name` or
 * `name:key=value:…`, with ranges as `low..high` and the probability as `p` (default 1). Throws {@link UsageError}
 * naming the bad part.
 */
export function parseAugmentSpec(text: string): AugmentPlan {
  const spec = text.trim();
  if (spec === '') throw new UsageError('empty augmentation spec (use "none" for no augmentation)');
  if (Object.hasOwn(AUGMENT_PRESETS, spec)) return parseSteps(AUGMENT_PRESETS[spec]);
  return parseSteps(spec);
}

/**
 * The canonical spec of a plan: steps in application order, every option written out, so equal plans give equal
 * strings (a cache key) and {@link parseAugmentSpec} reads it back to an equal plan. An empty plan is "none".
 */
export function formatAugmentPlan(plan: AugmentPlan): string {
  const parts: string[] = [];
  for (const name of AUGMENT_STEP_NAMES) {
    const step = plan[name];
    if (!step) continue;
    const write = SYNTAX[name].write as (value: typeof step) => string[];
    parts.push([name, `p=${step.p}`, ...write(step)].join(':'));
  }
  return parts.length ? parts.join(',') : 'none';
}
