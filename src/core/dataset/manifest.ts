import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileError } from '../errors';
import { isInsideFolder } from '../fsutil';
import { normaliseEmotion, type Gender } from './emotions';
import type { DatasetItem, SkippedFile } from './load';

/** The columns of a CSV manifest without a header row, in order. */
const DEFAULT_COLUMNS = ['path', 'label', 'speaker', 'gender'];

/** How many characters of a value a message quotes. */
const MAX_QUOTED_LENGTH = 60;

/** One CSV line split into fields; `unclosedQuote` when a quoted field runs on to the end of the line. */
interface CsvLine {
  readonly fields: string[];
  readonly unclosedQuote: boolean;
}

/**
 * Splits one CSV line into fields (RFC 4180 quoting: "a,b" and doubled quotes). Spaces around a field are dropped;
 * inside quotes they are kept (`" a.wav"` is the name with a leading space).
 */
function splitCsvLine(line: string): CsvLine {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  // Where the quoted part of the current field starts and ends in `field`; -1 when it has none.
  let quoteStart = -1;
  let quoteEnd = -1;
  const finish = () => {
    fields.push(quoteStart < 0 ? field.trim() : field.slice(0, quoteStart).trimStart() + field.slice(quoteStart, quoteEnd) + field.slice(quoteEnd).trimEnd());
    field = '';
    quoteStart = quoteEnd = -1;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
        quoteEnd = field.length;
      } else field += c;
    } else if (c === '"') {
      quoted = true;
      if (quoteStart < 0) quoteStart = field.length;
    } else if (c === ',') finish();
    else field += c;
  }
  if (quoted) quoteEnd = field.length;
  finish();
  return { fields, unclosedQuote: quoted };
}

/** Splits one CSV line into fields (RFC 4180 quoting: "a,b" and doubled quotes); spaces outside quotes are dropped. */
export function parseCsvLine(line: string): string[] {
  return splitCsvLine(line).fields;
}

/** One entry of a manifest: where it is (`line 3`, `entry 3`), its values by column, or why it cannot be read. */
interface ManifestRow {
  readonly where: string;
  readonly values: ReadonlyMap<string, unknown>;
  readonly problem?: string;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(typeof value === 'string' ? value.slice(0, MAX_QUOTED_LENGTH) : value) ?? String(value);
  return text.length > MAX_QUOTED_LENGTH ? `${text.slice(0, MAX_QUOTED_LENGTH - 1)}…` : text;
}

/**
 * The rows of a CSV manifest. The first line that is neither blank nor a `#` comment is a header when it names a
 * `path` or `label` column (any case, any order, other columns ignored); otherwise the columns are path, label,
 * speaker, gender.
 */
function rowsFromCsv(file: string, text: string): ManifestRow[] {
  const rows: ManifestRow[] = [];
  let columns: string[] | undefined;
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    if (!line.trim() || line.trimStart().startsWith('#')) return;
    const { fields, unclosedQuote } = splitCsvLine(line);
    if (columns === undefined) {
      const names = fields.map((f) => f.toLowerCase());
      columns = DEFAULT_COLUMNS;
      if (names.includes('path') || names.includes('label')) {
        for (const required of ['path', 'label']) {
          if (!names.includes(required)) throw new FileError(file, `manifest header (line ${i + 1}) has no "${required}" column`);
        }
        const repeated = names.find((name, k) => name && names.indexOf(name) !== k);
        if (repeated) throw new FileError(file, `manifest header (line ${i + 1}) has the column "${repeated}" twice`);
        columns = names;
        return;
      }
    }
    const values = new Map<string, unknown>();
    columns.forEach((column, c) => values.set(column, fields[c]));
    rows.push({ where: `line ${i + 1}`, values, problem: unclosedQuote ? 'a quoted field is not closed on this line' : undefined });
  });
  return rows;
}

/** The rows of a JSON manifest: an array of `{path, label, speaker?, gender?}` objects, or `{"items": [...]}`. */
function rowsFromJson(file: string, text: string): ManifestRow[] {
  if (!text.trim()) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new FileError(file, `manifest is not valid JSON (${(error as Error).message})`);
  }
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  const list = Array.isArray(parsed) ? parsed : isObject(parsed) && Object.hasOwn(parsed, 'items') ? parsed.items : undefined;
  if (!Array.isArray(list)) {
    throw new FileError(file, `JSON manifest must be an array of {path, label, speaker?} or {"items": [...]} (found ${describe(parsed)})`);
  }
  return list.map((entry: unknown, i) =>
    isObject(entry)
      ? { where: `entry ${i + 1}`, values: new Map(Object.entries(entry)) }
      : { where: `entry ${i + 1}`, values: new Map(), problem: `entry must be an object with "path" and "label" (found ${describe(entry)})` },
  );
}

/** The real path of a manifest entry's file (symbolic links followed), or why it cannot be used. */
function realFile(absolute: string): { real: string } | { problem: string } {
  let real: string;
  try {
    real = fs.realpathSync(absolute);
    if (!fs.statSync(real).isFile()) return { problem: 'is not a file' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { problem: 'file not found' };
    if (code === 'ELOOP') return { problem: 'symbolic links loop' };
    if (code === 'ENAMETOOLONG') return { problem: 'path is too long' };
    return { problem: `cannot read the file (${code ?? String(error)})` };
  }
  return { real };
}

/** The label in the shared vocabulary when it names an emotion, otherwise as given, in lower case. */
function itemLabel(label: string): string {
  const emotion = normaliseEmotion(label);
  return typeof emotion === 'string' ? emotion : label.trim().toLowerCase();
}

function itemGender(gender: unknown): Gender {
  if (typeof gender !== 'string') return 'unknown';
  return /^(f|female)$/i.test(gender) ? 'female' : /^(m|male)$/i.test(gender) ? 'male' : 'unknown';
}

function itemSpeaker(speaker: unknown): string {
  if (typeof speaker === 'string' && speaker.trim()) return speaker.trim();
  return typeof speaker === 'number' && Number.isFinite(speaker) ? String(speaker) : 'unknown';
}

/**
 * Reads a CSV (`path,label[,speaker[,gender]]`, optional header row) or JSON manifest. Paths are relative to the
 * manifest's folder, which is the dataset root. An entry is skipped with the reason when it has no path or label,
 * when its path — after following symbolic links — leads outside the root, when the file is missing or not a file,
 * or when it lists a file already listed. Throws a {@link FileError} naming the manifest when the file cannot be
 * read, is not CSV or JSON of this shape, or lists nothing.
 */
export function readManifest(file: string): { items: DatasetItem[]; skipped: SkippedFile[] } {
  const root = path.dirname(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FileError(file, code === 'ERR_STRING_TOO_LONG' ? 'manifest is too large to read' : `cannot read manifest (${code ?? String(error)})`);
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const rows = /\.json$/i.test(file) ? rowsFromJson(file, text) : rowsFromCsv(file, text);
  if (rows.length === 0) throw new FileError(file, 'manifest lists no files');
  let realRoot = root;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    // The folder holds the manifest just read; should it have gone, every entry is reported missing below.
  }
  const items: DatasetItem[] = [];
  const skipped: SkippedFile[] = [];
  /** Ids of the files listed so far, by real path. */
  const seen = new Map<string, string>();
  for (const row of rows) {
    const where = `${file} (${row.where})`;
    if (row.problem) {
      skipped.push({ path: where, problem: row.problem });
      continue;
    }
    const given = row.values.get('path');
    if (typeof given !== 'string' || !given.trim()) {
      const found = given === undefined || given === '' ? '' : ` (found ${describe(given)})`;
      skipped.push({ path: where, problem: `entry has no path${found}` });
      continue;
    }
    if (given.includes('\0')) {
      skipped.push({ path: where, problem: 'path contains a NUL character' });
      continue;
    }
    const absolute = path.resolve(root, given);
    if (!isInsideFolder(absolute, root, { orSame: true })) {
      skipped.push({ path: absolute, problem: `${where}: path is outside the dataset folder ${root}` });
      continue;
    }
    const label = row.values.get('label');
    if (typeof label !== 'string' || !label.trim()) {
      const found = label === undefined || label === null || label === '' ? '' : ` (found ${describe(label)})`;
      skipped.push({ path: absolute, problem: `${where}: entry has no label${found}` });
      continue;
    }
    const target = realFile(absolute);
    if ('problem' in target) {
      skipped.push({ path: absolute, problem: `${where}: ${target.problem}` });
      continue;
    }
    if (!isInsideFolder(target.real, realRoot, { orSame: true })) {
      skipped.push({ path: absolute, problem: `${where}: path is outside the dataset folder ${root} (a symbolic link leads to ${target.real})` });
      continue;
    }
    const id = path.relative(root, absolute).split(path.sep).join('/');
    const earlier = seen.get(target.real);
    if (earlier !== undefined) {
      skipped.push({ path: absolute, problem: `${where}: listed twice${earlier === id ? '' : ` (the same file as ${earlier})`}` });
      continue;
    }
    seen.set(target.real, id);
    items.push({ id, path: absolute, label: itemLabel(label), speaker: itemSpeaker(row.values.get('speaker')), gender: itemGender(row.values.get('gender')) });
  }
  return { items, skipped };
}
