import { UsageError } from '../errors';
import { Random } from '../random';
import type { DatasetIndex, DatasetItem } from './load';

/** How items are divided: by speaker lists, k-fold by speaker, or random clips (which leaks speakers). */
export type SplitKind = 'actors' | 'kfold' | 'random';

/** A train/validation/test division of a dataset, saved with every run. */
export interface DatasetSplit {
  readonly kind: SplitKind;
  /** Human description, e.g. "speaker-independent: test 21, 22, 23, 24; validation 19, 20". */
  readonly description: string;
  /** True when the same speaker can appear in training and evaluation (random splits). */
  readonly speakerLeakage: boolean;
  readonly seed: number;
  /** For k-fold: this fold (0-based) of `folds`. */
  readonly fold?: number;
  readonly folds?: number;
  readonly speakers: { readonly train: readonly string[]; readonly validation: readonly string[]; readonly test: readonly string[] };
  /** Item ids (dataset-relative paths) in each part. */
  readonly train: readonly string[];
  readonly validation: readonly string[];
  readonly test: readonly string[];
}

/** Options of {@link splitDataset}. */
export interface SplitOptions {
  readonly kind?: SplitKind;
  /** Test speakers (RAVDESS default 21–24). */
  readonly testSpeakers?: readonly string[];
  /** Validation speakers (RAVDESS default 19–20). */
  readonly validationSpeakers?: readonly string[];
  /** Number of folds for 'kfold' (default 6) and which fold to return (default 0). */
  readonly folds?: number;
  readonly fold?: number;
  /** Seed of every random choice (default 1). */
  readonly seed?: number;
  /** Fractions for random splits and for choosing speakers when none are given (default 0.15 / 0.1). */
  readonly testFraction?: number;
  readonly validationFraction?: number;
}

/** RAVDESS's conventional speaker-independent split: actors 21–24 test, 19–20 validation. */
/** Folds of a k-fold split when none are given. */
export const DEFAULT_FOLDS = 6;

export const RAVDESS_TEST_ACTORS = ['21', '22', '23', '24'];
export const RAVDESS_VALIDATION_ACTORS = ['19', '20'];

/** Parses actor lists like "21-24" or "1,3,5-7" into two-digit speaker ids ("01"…); other ids pass through. */
export function parseSpeakerList(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
    if (range) {
      const [lo, hi] = [Number(range[1]), Number(range[2])];
      if (hi < lo) throw new UsageError(`speaker range "${part}" runs backwards`);
      if (hi - lo > 1000) throw new UsageError(`speaker range "${part}" is too long`);
      for (let n = lo; n <= hi; n++) out.push(String(n).padStart(2, '0'));
    } else {
      out.push(/^\d$/.test(part) ? `0${part}` : part);
    }
  }
  if (out.length === 0) throw new UsageError(`no speakers in "${text}"`);
  return out;
}

function genderOf(index: DatasetIndex): Map<string, string> {
  const map = new Map<string, string>();
  for (const item of index.items) map.set(item.speaker, item.gender);
  return map;
}

/** Speakers grouped by gender (groups in a fixed order), each group shuffled with the seed. */
function genderGroups(index: DatasetIndex, random: Random): string[][] {
  const genders = genderOf(index);
  const groups = new Map<string, string[]>();
  for (const speaker of index.speakers) {
    const gender = genders.get(speaker) ?? 'unknown';
    groups.set(gender, [...(groups.get(gender) ?? []), speaker]);
  }
  return [...groups.keys()].sort().map((gender) => random.shuffle([...groups.get(gender)!]));
}

/** Speakers ordered so that any prefix is as gender-balanced as possible: shuffled per gender, then interleaved. */
function balancedOrder(index: DatasetIndex, random: Random): string[] {
  const lists = genderGroups(index, random);
  const out: string[] = [];
  for (let i = 0; out.length < index.speakers.length; i++) for (const list of lists) if (i < list.length) out.push(list[i]);
  return out;
}

function bySpeakers(
  index: DatasetIndex,
  kind: SplitKind,
  seed: number,
  test: readonly string[],
  validation: readonly string[],
  description: string,
  fold?: { fold: number; folds: number },
): DatasetSplit {
  const testSet = new Set(test);
  const validationSet = new Set(validation);
  for (const speaker of test) if (validationSet.has(speaker)) throw new UsageError(`speaker ${speaker} is in both the test and validation lists`);
  const known = new Set(index.speakers);
  const missing = [...test, ...validation].filter((speaker) => !known.has(speaker));
  if (missing.length) throw new UsageError(`speakers not in the dataset: ${missing.join(', ')} (it has ${index.speakers.join(', ')})`);
  const part = (item: DatasetItem) => (testSet.has(item.speaker) ? 'test' : validationSet.has(item.speaker) ? 'validation' : 'train');
  const ids = { train: [] as string[], validation: [] as string[], test: [] as string[] };
  for (const item of index.items) ids[part(item)].push(item.id);
  if (ids.train.length === 0) throw new UsageError('the split leaves no training data');
  return {
    kind,
    description,
    speakerLeakage: false,
    seed,
    ...(fold ?? {}),
    speakers: {
      train: index.speakers.filter((s) => !testSet.has(s) && !validationSet.has(s)),
      validation: [...validation].sort(),
      test: [...test].sort(),
    },
    ...ids,
  };
}

function randomSplit(index: DatasetIndex, seed: number, testFraction: number, validationFraction: number): DatasetSplit {
  const random = new Random(seed);
  const ids = { train: [] as string[], validation: [] as string[], test: [] as string[] };
  // Stratified: each label is divided in the same proportions.
  const byLabel = new Map<string, DatasetItem[]>();
  for (const item of index.items) byLabel.set(item.label, [...(byLabel.get(item.label) ?? []), item]);
  for (const label of index.labels) {
    const items = random.shuffle([...byLabel.get(label)!]);
    const nTest = Math.round(items.length * testFraction);
    const nValidation = Math.round(items.length * validationFraction);
    items.forEach((item, i) => (i < nTest ? ids.test : i < nTest + nValidation ? ids.validation : ids.train).push(item.id));
  }
  const all = [...index.speakers];
  return {
    kind: 'random',
    description: `random split (speaker leakage): ${Math.round(testFraction * 100)}% test, ${Math.round(validationFraction * 100)}% validation of each label`,
    speakerLeakage: true,
    seed,
    speakers: { train: all, validation: all, test: all },
    ...ids,
  };
}

/**
 * Divides a dataset. Default: speaker-independent — RAVDESS uses actors 21–24 for test and 19–20 for validation;
 * other corpora get gender-balanced speaker lists chosen with the seed. Datasets without speaker information fall back
 * to a random split, labelled as leaking speakers. Deterministic for a given dataset, options and seed.
 */
export function splitDataset(index: DatasetIndex, options: SplitOptions = {}): DatasetSplit {
  const seed = options.seed ?? 1;
  const testFraction = options.testFraction ?? 0.15;
  const validationFraction = options.validationFraction ?? 0.1;
  const noSpeakers = index.speakers.length < 3 || index.speakers.every((s) => s === 'unknown');
  const kind = options.kind ?? (noSpeakers ? 'random' : 'actors');
  if (kind === 'random') return randomSplit(index, seed, testFraction, validationFraction);
  if (noSpeakers) {
    throw new UsageError(`${index.root}: a speaker-independent split needs at least 3 known speakers (found ${index.speakers.filter((s) => s !== 'unknown').length}); use a random split or a manifest with speakers`);
  }
  if (kind === 'kfold') {
    const all = kFoldBySpeaker(index, { folds: options.folds, seed });
    const fold = options.fold ?? 0;
    if (!Number.isInteger(fold) || fold < 0 || fold >= all.length) throw new UsageError(`fold ${fold} does not exist (folds are 0–${all.length - 1})`);
    return all[fold];
  }
  let test = options.testSpeakers;
  let validation = options.validationSpeakers;
  const isRavdess = index.corpus === 'ravdess' && RAVDESS_TEST_ACTORS.every((a) => index.speakers.includes(a));
  if (!test && isRavdess) test = RAVDESS_TEST_ACTORS;
  if (!validation && isRavdess && !options.testSpeakers) validation = RAVDESS_VALIDATION_ACTORS.filter((a) => index.speakers.includes(a));
  if (!test || !validation) {
    const order = balancedOrder(index, new Random(seed)).filter((s) => !test?.includes(s) && !validation?.includes(s));
    const nTest = Math.max(1, Math.round(index.speakers.length * testFraction));
    const nValidation = Math.max(1, Math.round(index.speakers.length * validationFraction));
    test ??= order.splice(0, nTest);
    validation ??= order.splice(0, nValidation);
  }
  return bySpeakers(index, 'actors', seed, test, validation, `speaker-independent: test ${[...test].sort().join(', ')}; validation ${[...validation].sort().join(', ') || 'none'}`);
}

/**
 * k-fold cross-validation by speaker: speakers are dealt to folds gender by gender so each fold is balanced;
 * fold k tests on its speakers and validates on fold k+1's. Every speaker is tested exactly once.
 */
export function kFoldBySpeaker(index: DatasetIndex, options: { folds?: number; seed?: number } = {}): DatasetSplit[] {
  const folds = options.folds ?? DEFAULT_FOLDS;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(folds) || folds < 3) throw new UsageError(`k-fold needs at least 3 folds (got ${folds})`);
  if (folds > index.speakers.length) throw new UsageError(`${folds} folds need at least ${folds} speakers (the dataset has ${index.speakers.length})`);
  // Deal each gender's speakers round-robin, continuing the rotation across genders, so folds stay balanced.
  const order = genderGroups(index, new Random(seed)).flat();
  const groups: string[][] = Array.from({ length: folds }, () => []);
  order.forEach((speaker, i) => groups[i % folds].push(speaker));
  return groups.map((test, k) => {
    const validation = groups[(k + 1) % folds];
    return bySpeakers(index, 'kfold', seed, test, validation, `speaker k-fold ${k + 1}/${folds}: test ${[...test].sort().join(', ')}; validation ${[...validation].sort().join(', ')}`, { fold: k, folds });
  });
}

/** Item counts per label in each part of a split. */
export function splitCounts(index: DatasetIndex, split: DatasetSplit): Record<'train' | 'validation' | 'test', Record<string, number>> {
  const byId = new Map(index.items.map((item) => [item.id, item]));
  const count = (ids: readonly string[]) => {
    const counts = Object.fromEntries(index.labels.map((label) => [label, 0])) as Record<string, number>;
    for (const id of ids) {
      const item = byId.get(id);
      if (item) counts[item.label]++;
    }
    return counts;
  };
  return { train: count(split.train), validation: count(split.validation), test: count(split.test) };
}

/** "Balanced" class weights n / (k · n_c) for training on imbalanced labels (labels with no items get 0). */
export function classWeights(counts: Record<string, number>): Record<string, number> {
  const labels = Object.keys(counts);
  const total = labels.reduce((sum, label) => sum + counts[label], 0);
  const present = labels.filter((label) => counts[label] > 0).length;
  return Object.fromEntries(labels.map((label) => [label, counts[label] > 0 ? total / (present * counts[label]) : 0]));
}
