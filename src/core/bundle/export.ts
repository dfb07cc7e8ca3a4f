import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findBuiltFile } from '../builtFile';
import { FileError } from '../errors';
import { isInsideFolder, readFileBounded, syncFolder, writeFilesAtomic } from '../fsutil';
import { activeLockHolder } from '../train/lock';
import { checkBundleMeta, MAX_BUNDLE_META_BYTES, type BundleMeta } from './bundle';
import { EXPORT_FILES, exportFolderKind, nameList } from './exportFiles';
import { exportPageHtml, exportReadme } from './exportPage';
import { readModelFiles, sha256 } from './modelFiles';

export { EXPORT_FILES } from './exportFiles';

/** Options of {@link exportBundle}. */
export interface ExportOptions {
  /** Replace `outDir` when it holds an earlier export and nothing else (any other non-empty folder is still refused). */
  readonly force?: boolean;
}

/** What {@link exportBundle} wrote. */
export interface ExportResult {
  /** The export folder, absolute. */
  readonly outDir: string;
  /** Names of the files in it. */
  readonly files: string[];
}

/** A built file of the browser runtime (dist/web/…), or an error saying how to build it. */
function runtimeFile(name: string): string {
  const built = findBuiltFile(path.join('web', name));
  if (built) return built;
  if (name === 'tf.min.js') {
    try {
      return require.resolve('@tensorflow/tfjs/dist/tf.min.js');
    } catch {
      // reported below
    }
  }
  throw new Error(`the browser runtime's ${name} was not found (dist/web/${name}); build it with "node scripts/build.mjs"`);
}

/** A script's text without its closing source-map link: the map is not exported, so browsers need not ask for it. */
function scriptWithoutSourceMap(file: string): string {
  return fs.readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
}

/** The entries of `dir`, or undefined when it does not exist; a FileError when it is something other than a folder. */
function folderEntries(dir: string): string[] | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FileError(dir, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (!stat.isDirectory()) throw new FileError(dir, stat.isSymbolicLink() ? 'is a symbolic link, not a folder to export into' : 'exists and is not a folder');
  return fs.readdirSync(dir);
}

/** A model folder's emotion.json, read once: its bytes (exported as they are) and the validated content. */
function readMeta(dir: string): { bytes: Buffer; meta: BundleMeta } {
  const file = path.join(dir, 'emotion.json');
  let bytes: Buffer;
  let parsed: unknown;
  try {
    bytes = readFileBounded(file, MAX_BUNDLE_META_BYTES);
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    if (error instanceof FileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FileError(dir, 'is not a trained model folder (no emotion.json)');
    throw new FileError(file, code ? `cannot be read (${code})` : `is not valid JSON (${(error as Error).message})`);
  }
  return { bytes, meta: checkBundleMeta(parsed, file) };
}

/** A name beside `dir` that nothing has yet: `.<name>.<what>-<random>`. */
function besideName(dir: string, what: string): string {
  return path.join(path.dirname(dir), `.${path.basename(dir)}.${what}-${randomBytes(6).toString('hex')}`);
}

function renameProblem(error: unknown): string {
  return `could not be put in place (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
}

/**
 * Exports a trained model folder for the browser into `outDir`: model.json, weights.bin and emotion.json unchanged (after
 * checking them: emotion.json valid, model files matching its SHA-256 hashes, topology and weight sizes), the runtime
 * voice-emotion.js, TensorFlow.js's tf.min.js, index.html and README.md. The files are written into a temporary folder
 * beside `outDir`, which is then renamed into place, so there is never a half-written export. A non-empty `outDir` is
 * refused unless `force` is given and it holds an earlier export and nothing else; that one is swapped out and then
 * deleted. A model folder a training run is writing is refused.
 */
export function exportBundle(modelDir: string, outDir: string, options: ExportOptions = {}): ExportResult {
  const source = path.resolve(modelDir);
  const target = path.resolve(outDir);
  if (isInsideFolder(source, target, { orSame: true })) throw new FileError(target, `is the model folder or a folder containing it (${source}); export into a folder outside the model`);
  const holder = activeLockHolder(source);
  if (holder) throw new FileError(source, `is being written by a training run (${holder}); export it when the run has finished`);
  const { bytes: metaBytes, meta } = readMeta(source);
  const { artifacts } = readModelFiles(source);
  if (sha256(artifacts.modelJson) !== meta.hashes?.model || sha256(artifacts.weights) !== meta.hashes?.weights) {
    throw new FileError(source, 'model files do not match emotion.json (the bundle is incomplete or was modified)');
  }
  const runtime = scriptWithoutSourceMap(runtimeFile('voice-emotion.js'));
  const tfjs = scriptWithoutSourceMap(runtimeFile('tf.min.js'));

  const existing = folderEntries(target);
  const found = exportFolderKind(existing ?? []);
  if (found.kind !== 'empty') {
    if (!options.force) throw new FileError(target, 'is not empty; choose a new or empty folder, or replace an earlier export with --force');
    if (found.kind === 'other' && found.missing.length) throw new FileError(target, `is not empty and is not an earlier export (no ${found.missing.join(', ')}); only an earlier export is replaced`);
    if (found.kind === 'other') throw new FileError(target, `holds ${nameList(found.extra)} besides an earlier export; replacing it would delete them, so move them out of the folder or export into another one`);
  }

  const name = path.basename(source);
  const contents: Record<(typeof EXPORT_FILES)[number], string | Uint8Array> = {
    'weights.bin': artifacts.weights,
    'model.json': artifacts.modelJson,
    'emotion.json': metaBytes,
    'tf.min.js': tfjs,
    'voice-emotion.js': runtime,
    'README.md': exportReadme(meta, name),
    'index.html': exportPageHtml(meta, name),
  };
  const parent = path.dirname(target);
  try {
    fs.mkdirSync(parent, { recursive: true });
  } catch (error) {
    throw new FileError(parent, `cannot be created (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const staging = fs.mkdtempSync(besideName(target, 'export'));
  let replaced: string | undefined;
  try {
    fs.chmodSync(staging, 0o755);
    try {
      writeFilesAtomic(EXPORT_FILES.map((file) => ({ file: path.join(staging, file), data: contents[file] })));
    } catch (error) {
      if (error instanceof FileError) throw new FileError(path.join(target, path.relative(staging, error.file)), error.problem);
      throw error;
    }
    try {
      if (existing?.length) {
        replaced = besideName(target, 'replaced');
        fs.renameSync(target, replaced);
      } else if (existing) {
        fs.rmdirSync(target);
      }
      fs.renameSync(staging, target);
    } catch (error) {
      if (replaced && !fs.existsSync(target)) fs.renameSync(replaced, target);
      replaced = undefined;
      throw new FileError(target, renameProblem(error));
    }
    syncFolder(parent);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    if (replaced) fs.rmSync(replaced, { recursive: true, force: true });
  }
  return { outDir: target, files: [...EXPORT_FILES].sort() };
}
