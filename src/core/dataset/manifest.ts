import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileError } from '../errors';
import { normaliseEmotion, type Gender } from './emotions';
import type { DatasetItem, SkippedFile } from './load';

/** Splits one CSV line into fields (RFC 4180 quoting: "a,b" and doubled quotes). */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields.map((f) => f.trim());
}

interface ManifestRow {
  readonly line: number;
  readonly path?: unknown;
  readonly label?: unknown;
  readonly speaker?: unknown;
  readonly gender?: unknown;
}

function rowsFromCsv(file: string, text: string): ManifestRow[] {
  const lines = text.split(/\r?\n/);
  const rows: ManifestRow[] = [];
  let columns = ['path', 'label', 'speaker', 'gender'];
  lines.forEach((line, i) => {
    if (!line.trim() || line.trimStart().startsWith('#')) return;
    const fields = parseCsvLine(line);
    if (i === 0 && fields.some((f) => f.toLowerCase() === 'path')) {
      columns = fields.map((f) => f.toLowerCase());
      if (!columns.includes('label')) throw new FileError(file, 'manifest header has no "label" column');
      return;
    }
    const row: Record<string, unknown> = { line: i + 1 };
    columns.forEach((column, c) => (row[column] = fields[c]));
    rows.push(row as unknown as ManifestRow);
  });
  return rows;
}

function rowsFromJson(file: string, text: string): ManifestRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new FileError(file, `manifest is not valid JSON (${(error as Error).message})`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { items?: unknown })?.items;
  if (!Array.isArray(list)) throw new FileError(file, 'JSON manifest must be an array of {path, label, speaker?} or {"items": [...]}');
  return list.map((entry, i) => ({ line: i + 1, ...(typeof entry === 'object' && entry !== null ? entry : {}) }));
}

/**
 * Reads a CSV (`path,label[,speaker[,gender]]`, optional header row) or JSON manifest. Paths are relative to the
 * manifest's folder, which is the dataset root; a path outside it, a missing file or a row without a label is skipped
 * with the reason.
 */
export function readManifest(file: string): { items: DatasetItem[]; skipped: SkippedFile[] } {
  const root = path.dirname(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new FileError(file, `cannot read manifest (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const rows = /\.json$/i.test(file) ? rowsFromJson(file, text) : rowsFromCsv(file, text);
  if (rows.length === 0) throw new FileError(file, 'manifest lists no files');
  const items: DatasetItem[] = [];
  const skipped: SkippedFile[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const where = `${file} (entry ${row.line})`;
    if (typeof row.path !== 'string' || !row.path) {
      skipped.push({ path: where, problem: 'entry has no path' });
      continue;
    }
    const absolute = path.resolve(root, row.path);
    const relative = path.relative(root, absolute);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      skipped.push({ path: absolute, problem: `${where}: path is outside the dataset folder ${root}` });
      continue;
    }
    if (typeof row.label !== 'string' || !row.label.trim()) {
      skipped.push({ path: absolute, problem: `${where}: entry has no label` });
      continue;
    }
    if (!fs.existsSync(absolute)) {
      skipped.push({ path: absolute, problem: `${where}: file not found` });
      continue;
    }
    const id = relative.split(path.sep).join('/');
    if (seen.has(id)) {
      skipped.push({ path: absolute, problem: `${where}: listed twice` });
      continue;
    }
    seen.add(id);
    const gender = typeof row.gender === 'string' && /^(f|female)$/i.test(row.gender) ? 'female' : typeof row.gender === 'string' && /^(m|male)$/i.test(row.gender) ? 'male' : 'unknown';
    items.push({
      id,
      path: absolute,
      label: normaliseEmotion(row.label) ?? row.label.trim().toLowerCase(),
      speaker: typeof row.speaker === 'string' && row.speaker ? row.speaker : typeof row.speaker === 'number' ? String(row.speaker) : 'unknown',
      gender: gender as Gender,
    });
  }
  return { items, skipped };
}
