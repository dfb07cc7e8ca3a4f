import * as util from 'node:util';
import { MIME, type TableJson } from '../../shared/mime';
import type { CellOutputItem } from '../../shared/workerProtocol';

/**
 * How values become notebook outputs: results of the `emo` API carry their rich form (a MIME item plus a text/plain
 * fallback); strings show as text; arrays of plain objects as tables; anything else as util.inspect text.
 */

/** One output of a cell: its items (alternative forms of the same thing) and, for live outputs, an id. */
export interface RichOutput {
  readonly items: readonly CellOutputItem[];
  readonly id?: string;
}

/** The marker of displayable values: a method returning the value's outputs (most have one). */
export const RENDER = Symbol.for('voice-emotion.render');

/** A value that knows how to display itself. */
export interface Displayable {
  [RENDER](): readonly RichOutput[];
}

const TEXT_LIMIT = 20_000;

/** Text of any value, as the console would print it (depth 4, long output truncated). */
export function inspectValue(value: unknown): string {
  const text = typeof value === 'string' ? value : util.inspect(value, { depth: 4, maxArrayLength: 100, maxStringLength: 2000, breakLength: 100 });
  return text.length > TEXT_LIMIT ? `${text.slice(0, TEXT_LIMIT)}… (${text.length - TEXT_LIMIT} more characters)` : text;
}

/** A rich item with its text/plain fallback. */
export function richItems(mime: string, data: unknown, text: string): CellOutputItem[] {
  return [{ mime, data }, { mime: 'text/plain', data: text }];
}

/** Attaches a rich form to `data` (non-enumerable, so inspecting the data shows only the data). */
export function displayable<T extends object>(data: T, render: () => readonly RichOutput[]): T & Displayable {
  Object.defineProperty(data, RENDER, { value: render, enumerable: false, configurable: true });
  return data as T & Displayable;
}

/** True for values that carry a rich form. */
export function isDisplayable(value: unknown): value is Displayable {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as Partial<Displayable>)[RENDER] === 'function';
}

/** A plain object of any realm (the kernel's context has its own Object.prototype). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

type Cell = string | number | boolean | null;

function tableCell(value: unknown): Cell {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  return util.inspect(value, { depth: 1, breakLength: Infinity, maxArrayLength: 10 });
}

/** A table of rows: objects (columns = their keys, in first-seen order) or arrays (columns given or numbered). */
export function tableOf(rows: readonly unknown[], options: { columns?: readonly string[]; caption?: string } = {}): TableJson {
  if (rows.every((row) => Array.isArray(row))) {
    const width = Math.max(0, ...rows.map((row) => (row as unknown[]).length));
    const columns = options.columns ?? Array.from({ length: width }, (_, i) => String(i));
    return { caption: options.caption, columns, rows: Array.from(rows, (row) => columns.map((_, i) => tableCell((row as unknown[])[i]))) };
  }
  const keys = new Set<string>(options.columns ? [...options.columns] : []);
  if (!options.columns) for (const row of rows) if (isPlainObject(row)) for (const key of Object.keys(row)) keys.add(key);
  const columns = [...keys];
  return {
    caption: options.caption,
    columns,
    // Array.from: rows may come from the cell's realm, whose arrays must not leak into the output.
    rows: Array.from(rows, (row) => (isPlainObject(row) ? columns.map((column) => tableCell(row[column])) : [tableCell(row), ...columns.slice(1).map(() => null)])),
  };
}

/** Plain-text rendering of a table (the fallback of MIME.table). */
export function tableText(table: TableJson): string {
  const cells = [table.columns, ...table.rows.map((row) => row.map((cell) => (cell === null ? '' : typeof cell === 'number' ? String(Number(cell.toPrecision(6))) : String(cell))))];
  const widths = table.columns.map((_, c) => Math.max(...cells.map((row) => String(row[c] ?? '').length)));
  const lines = cells.map((row) => row.map((cell, c) => String(cell ?? '').padEnd(widths[c])).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return [...(table.caption ? [table.caption] : []), ...lines].join('\n');
}

/** A displayable table (MIME.table with a text fallback). */
export function tableOutput<T extends object>(data: T, table: TableJson): T & Displayable {
  return displayable(data, () => [{ items: richItems(MIME.table, table, tableText(table)) }]);
}

/** The outputs a value shows as (none for undefined). */
export function outputsOf(value: unknown): readonly RichOutput[] {
  if (value === undefined) return [];
  if (isDisplayable(value)) return value[RENDER]();
  if (typeof value === 'string') return [{ items: [{ mime: 'text/plain', data: value }] }];
  if (Array.isArray(value) && value.length > 0 && value.every(isPlainObject)) {
    return [{ items: richItems(MIME.table, tableOf(value), inspectValue(value)) }];
  }
  return [{ items: [{ mime: 'text/plain', data: inspectValue(value) }] }];
}
