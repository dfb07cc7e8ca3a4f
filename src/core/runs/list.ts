import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileError } from '../errors';
import { isTemporaryFileName } from '../fsutil';
import { readRunRecord, RUNS_FOLDER, type RunRecord } from './record';

/** A run record found on disk: the record, its file, and `modelDir` where the folder is now (folders move). */
export type ListedRun = RunRecord & { readonly file: string };

/** A record that could not be read, and why. */
export interface SkippedRecord {
  readonly file: string;
  readonly reason: string;
}

/** What {@link listRuns} found. */
export interface RunListing {
  readonly root: string;
  /** Newest first (by start time). */
  readonly runs: readonly ListedRun[];
  readonly skipped: readonly SkippedRecord[];
}

/** Folders of a k-fold run's models. */
const FOLD_FOLDER = /^fold-\d+$/;

/** Why an entry could not be looked at: the system error code, as records and listings show it. */
function unreadable(error: unknown): string {
  return `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
}

/**
 * Sub-folders of `dir` (links followed) whose names `wanted` accepts, sorted by name; none when `dir` cannot be read.
 * Each entry is looked at on its own: one that cannot be (a link loop, no permission) goes to `skipped` and the others
 * are still listed.
 */
function subfolders(dir: string, wanted: (name: string) => boolean, skipped: SkippedRecord[]): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const folders: string[] = [];
  for (const entry of entries) {
    if (!wanted(entry.name)) continue;
    if (entry.isDirectory()) folders.push(entry.name);
    else if (entry.isSymbolicLink()) {
      const link = path.join(dir, entry.name);
      try {
        if (fs.statSync(link).isDirectory()) folders.push(entry.name);
      } catch (error) {
        // A link to nothing is no folder; a loop or a refused look is worth naming.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') skipped.push({ file: link, reason: unreadable(error) });
      }
    }
  }
  return folders.sort();
}

/** The record files in a model folder's runs/ folder (temporary files of a write in progress left out). */
function recordFiles(modelDir: string, skipped: SkippedRecord[]): string[] {
  const dir = path.join(modelDir, RUNS_FOLDER);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') skipped.push({ file: dir, reason: unreadable(error) });
    return [];
  }
  return names.filter((name) => name.endsWith('.json') && !isTemporaryFileName(name)).map((name) => path.join(dir, name));
}

/**
 * Finds the run records under `root`: in `root` itself when it is a model folder, in the model folders directly under
 * it, and in their k-fold folders (`fold-<k>`). Unreadable or invalid records, and entries that cannot be looked at
 * (a link loop, a folder without permission), are skipped with the reason. Newest first.
 * A missing `root` is a FileError.
 */
export function listRuns(root: string): RunListing {
  const resolved = path.resolve(root);
  const stat = fs.statSync(resolved, { throwIfNoEntry: false });
  if (!stat) throw new FileError(resolved, 'does not exist');
  if (!stat.isDirectory()) throw new FileError(resolved, 'is not a folder');
  const runs: ListedRun[] = [];
  const skipped: SkippedRecord[] = [];
  const modelDirs = [resolved];
  for (const name of subfolders(resolved, (entry) => entry !== RUNS_FOLDER && !entry.startsWith('.'), skipped)) {
    const dir = path.join(resolved, name);
    modelDirs.push(dir, ...subfolders(dir, (entry) => FOLD_FOLDER.test(entry), skipped).map((sub) => path.join(dir, sub)));
  }
  for (const modelDir of modelDirs) {
    for (const file of recordFiles(modelDir, skipped)) {
      try {
        runs.push({ ...readRunRecord(file), modelDir, file });
      } catch (error) {
        skipped.push({ file, reason: error instanceof FileError ? error.problem : String(error) });
      }
    }
  }
  runs.sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt) || b.id.localeCompare(a.id));
  return { root: resolved, runs, skipped };
}
