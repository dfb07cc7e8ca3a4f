import * as fs from 'node:fs';
import * as path from 'node:path';
import { readWavInfo } from '../audio/wav';
import { FileError, UsageError } from '../errors';
import { normaliseEmotion, sortLabels, type Corpus, type Gender } from './emotions';
import { readManifest } from './manifest';
import { parseCremaName, parseRavdessName, parseSaveeName, parseTessName, type NameResult, type RavdessName } from './names';

/** One labelled audio file of a dataset. */
export interface DatasetItem {
  /** Path relative to the dataset root, with forward slashes: stable across machines. */
  readonly id: string;
  /** Absolute path. */
  readonly path: string;
  /** Emotion in the shared vocabulary, or the label as given (lower case) when it is not an emotion name. */
  readonly label: string;
  /** Speaker id ("12" for RAVDESS actor 12); "unknown" when the layout does not say. */
  readonly speaker: string;
  readonly gender: Gender;
  /** Corpus-specific intensity ("normal"/"strong" for RAVDESS, "low"…"high" for CREMA-D). */
  readonly intensity?: string;
  /** All RAVDESS fields, for RAVDESS files. */
  readonly ravdess?: RavdessName;
  /** Duration in seconds and sample rate in Hz from the header (when headers were checked). */
  readonly durationSeconds?: number;
  readonly sampleRate?: number;
}

/** A file left out of the dataset, with the reason. */
export interface SkippedFile {
  readonly path: string;
  readonly problem: string;
}

/** A parsed dataset: its items, what was skipped and why, and what was deliberately excluded. */
export interface DatasetIndex {
  readonly root: string;
  readonly corpus: Corpus;
  readonly items: readonly DatasetItem[];
  readonly skipped: readonly SkippedFile[];
  /** Files left out by choice (e.g. RAVDESS song clips without `includeSong`), counted by reason. */
  readonly excluded: Readonly<Record<string, number>>;
  /** Labels present, shared-vocabulary order first. */
  readonly labels: readonly string[];
  /** Speakers present, sorted. */
  readonly speakers: readonly string[];
}

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions {
  /** Keep RAVDESS song clips (vocal channel 02); default false (speech only). */
  readonly includeSong?: boolean;
  /** Read and validate each WAV header, skipping unreadable files (default true). */
  readonly checkAudio?: boolean;
  /** Folder names never descended into, besides hidden ones (default: none). */
  readonly ignoreFolders?: readonly string[];
}

const AUDIO_ELSEWHERE = /\.(mp3|flac|ogg|m4a|aac|opus|wma|aiff?)$/i;
const MANIFEST_NAMES = ['manifest.csv', 'manifest.json'];

/** Every file below `root` (hidden folders and `ignore` skipped), as paths relative to root. */
function walk(root: string, ignore: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const visit = (relative: string) => {
    const entries = fs.readdirSync(path.join(root, relative), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!ignore.has(entry.name) && entry.name !== 'node_modules') visit(child);
      } else if (entry.isFile()) {
        out.push(child);
      }
    }
  };
  visit('');
  return out;
}

type NameParser = (fileName: string, parent: string) => NameResult;

function cremaGenders(root: string): Map<string, Gender> | undefined {
  const table = path.join(root, 'VideoDemographics.csv');
  if (!fs.existsSync(table)) return undefined;
  const genders = new Map<string, Gender>();
  for (const line of fs.readFileSync(table, 'utf8').split(/\r?\n/).slice(1)) {
    const [actor, , sex] = line.split(',').map((s) => s.trim());
    if (actor && sex) genders.set(actor, /^f/i.test(sex) ? 'female' : /^m/i.test(sex) ? 'male' : 'unknown');
  }
  return genders;
}

/** Picks the naming convention most files follow, or undefined when none covers at least half of them. */
function detectCorpus(files: string[], root: string): { corpus: Corpus; parse: NameParser } | undefined {
  const genders = cremaGenders(root);
  const parsers: [Corpus, NameParser][] = [
    ['ravdess', (name) => parseRavdessName(name)],
    ['crema-d', (name) => parseCremaName(name, genders)],
    ['tess', (name) => parseTessName(name)],
    ['savee', (name, parent) => parseSaveeName(name, parent)],
  ];
  let best: { corpus: Corpus; parse: NameParser; count: number } | undefined;
  for (const [corpus, parse] of parsers) {
    const count = files.filter((file) => parse(path.posix.basename(file), path.posix.basename(path.posix.dirname(file))).ok).length;
    if (count > 0 && (!best || count > best.count)) best = { corpus, parse, count };
  }
  return best && best.count * 2 >= files.length ? best : undefined;
}

function finish(root: string, corpus: Corpus, items: DatasetItem[], skipped: SkippedFile[], excluded: Record<string, number>): DatasetIndex {
  return {
    root,
    corpus,
    items,
    skipped,
    excluded,
    labels: sortLabels(items.map((item) => item.label)),
    speakers: [...new Set(items.map((item) => item.speaker))].sort(),
  };
}

/** Validates headers, moving unreadable files from `items` to `skipped`. */
function checkHeaders(items: DatasetItem[], skipped: SkippedFile[]): DatasetItem[] {
  const kept: DatasetItem[] = [];
  for (const item of items) {
    try {
      const info = readWavInfo(item.path);
      kept.push({ ...item, durationSeconds: info.durationSeconds, sampleRate: info.sampleRate });
    } catch (error) {
      skipped.push({ path: item.path, problem: error instanceof FileError ? error.problem : String(error) });
    }
  }
  return kept;
}

/**
 * Reads a dataset: a manifest file (CSV or JSON: path,label[,speaker[,gender]]), a folder with `manifest.csv`/`.json`,
 * a folder of RAVDESS, CREMA-D, TESS or SAVEE files (any nesting, e.g. RAVDESS `Actor_NN/`), or one folder per label
 * (`neutral/…wav`). Files that cannot be used are listed in `skipped` with the reason; the rest load.
 */
export function loadDataset(source: string, options: LoadDatasetOptions = {}): DatasetIndex {
  const resolved = path.resolve(source);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(resolved);
  } catch {
    throw new FileError(resolved, 'dataset folder not found');
  }
  const checkAudio = options.checkAudio ?? true;
  if (stat.isFile()) {
    if (!/\.(csv|json)$/i.test(resolved)) throw new FileError(resolved, 'a dataset is a folder or a .csv/.json manifest');
    const manifest = readManifest(resolved);
    const items = checkAudio ? checkHeaders(manifest.items, manifest.skipped) : manifest.items;
    return finish(path.dirname(resolved), 'manifest', items, manifest.skipped, {});
  }
  if (!stat.isDirectory()) throw new FileError(resolved, 'is not a folder');
  const manifestFile = MANIFEST_NAMES.map((name) => path.join(resolved, name)).find((file) => fs.existsSync(file));
  if (manifestFile) return loadDataset(manifestFile, options);

  const all = walk(resolved, new Set(options.ignoreFolders ?? []));
  const skipped: SkippedFile[] = [];
  const excluded: Record<string, number> = {};
  for (const file of all) {
    if (AUDIO_ELSEWHERE.test(file)) skipped.push({ path: path.join(resolved, file), problem: 'only WAV files are supported (convert it to .wav)' });
  }
  const wavs = all.filter((file) => /\.wave?$/i.test(file));
  if (wavs.length === 0) throw new FileError(resolved, 'contains no .wav files');

  let items: DatasetItem[] = [];
  const detected = detectCorpus(wavs, resolved);
  let corpus: Corpus;
  if (detected) {
    corpus = detected.corpus;
    for (const id of wavs) {
      const absolute = path.join(resolved, id);
      const parent = path.posix.basename(path.posix.dirname(id));
      const parsed = detected.parse(path.posix.basename(id), parent);
      if (!parsed.ok) {
        skipped.push({ path: absolute, problem: parsed.problem });
        continue;
      }
      const value = parsed.value;
      if (value.ravdess) {
        const folderActor = /^Actor_(\d+)$/i.exec(parent);
        if (folderActor && Number(folderActor[1]) !== value.ravdess.actor) {
          skipped.push({ path: absolute, problem: `file name says actor ${value.speaker} but it is in ${parent}/` });
          continue;
        }
        if (value.ravdess.vocalChannel === 'song' && !options.includeSong) {
          excluded['song clips (use includeSong / --song to keep them)'] = (excluded['song clips (use includeSong / --song to keep them)'] ?? 0) + 1;
          continue;
        }
      }
      items.push({ id, path: absolute, label: value.label, speaker: value.speaker, gender: value.gender, intensity: value.intensity, ravdess: value.ravdess });
    }
  } else {
    corpus = 'folders';
    const topFolders = new Set(wavs.map((id) => id.split('/')[0]).filter((_, i) => wavs[i].includes('/')));
    if (topFolders.size === 0) {
      throw new FileError(
        resolved,
        'cannot tell how the files are labelled: expected RAVDESS/CREMA-D/TESS/SAVEE file names, one folder per label, or a manifest.csv',
      );
    }
    for (const id of wavs) {
      const absolute = path.join(resolved, id);
      if (!id.includes('/')) {
        skipped.push({ path: absolute, problem: 'not inside a label folder' });
        continue;
      }
      const folder = id.split('/')[0];
      // A file inside a label folder may still carry its speaker in a known naming convention.
      const name = path.posix.basename(id);
      const named = [parseRavdessName(name), parseCremaName(name), parseTessName(name), parseSaveeName(name, path.posix.basename(path.posix.dirname(id)))].find((r) => r.ok);
      const speaker = named?.ok ? named.value.speaker : 'unknown';
      const gender = named?.ok ? named.value.gender : 'unknown';
      items.push({ id, path: absolute, label: normaliseEmotion(folder) ?? folder.toLowerCase(), speaker, gender });
    }
  }
  if (checkAudio) items = checkHeaders(items, skipped);
  if (items.length === 0) throw new FileError(resolved, `no usable audio files (${skipped.length} skipped; first: ${skipped[0]?.problem ?? 'none'})`);
  return finish(resolved, corpus, items, skipped, excluded);
}

/** Per-label item counts. */
export function countByLabel(items: readonly DatasetItem[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const label of sortLabels(items.map((item) => item.label))) counts[label] = 0;
  for (const item of items) counts[item.label]++;
  return counts;
}

/** Throws a UsageError unless the dataset has at least two labels (a classifier needs two). */
export function requireTwoLabels(index: DatasetIndex): void {
  if (index.labels.length < 2) {
    throw new UsageError(`${index.root}: the dataset has only one label (${index.labels[0] ?? 'none'}); a classifier needs at least two`);
  }
}
