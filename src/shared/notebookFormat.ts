/**
 * The `.emonb` notebook file format: its raw JSON shape, a validating parser, a stable writer, and conversions
 * to and from a plain "NotebookData-like" model that the VS Code serializer turns into `vscode` classes.
 *
 * A file looks like this (keys always written in this order; unknown keys follow the known ones, in file order):
 *
 * ```json
 * {
 *  "format": "voice-emotion-notebook",
 *  "version": 1,
 *  "metadata": {},
 *  "cells": [
 *   {
 *    "kind": "code",
 *    "language": "typescript",
 *    "source": "const clip = await load('a.wav');\nclip",
 *    "outputs": [
 *     {
 *      "items": [
 *       {
 *        "mime": "text/plain",
 *        "data": "clip: 3.2 s"
 *       }
 *      ]
 *     }
 *    ],
 *    "executionSummary": {
 *     "executionOrder": 1,
 *     "success": true,
 *     "timing": {
 *      "startTime": 1718000000000,
 *      "endTime": 1718000000420
 *     }
 *    }
 *   }
 *  ]
 * }
 * ```
 *
 * Canonical formatting (what {@link serializeNotebook} writes, so that diffs stay small and readable):
 * - one-space indentation, as the project's other JSON files and Jupyter's `.ipynb` use; LF line ends; a trailing newline;
 * - one object member or array element per line, except that an array holding only numbers, strings, booleans
 *   and nulls is written on one line (`[0.1, 0.2, 0.3]`), so a feature matrix takes one line per row;
 * - a cell's `source` is one string;
 * - output item `data`: JSON types (`application/json`, `*+json`, VS Code's error type) as the JSON value; text types
 *   (`text/*`, VS Code's stdout/stderr, XML and JavaScript) as a string; anything else as `{ "base64": "…" }`.
 *   When bytes cannot be held in their type's form (a JSON type whose bytes are not JSON, text that is not UTF-8),
 *   the item says `"encoding": "base64"` and `data` is `{ "base64": "…" }`. JSON items keep their value, not their
 *   whitespace.
 *
 * Unknown fields at every level (the file, its metadata, cells, outputs, output items, execution summaries and
 * their timing) survive a load and save: the model keeps them under {@link UNKNOWN_FIELDS_KEY} in the notebook,
 * cell or output metadata. JSON.parse puts keys that look like array indices ("0", "12") first in an object, so
 * unknown keys of that form come back before the other unknown keys of their object.
 *
 * Limits, so that every notebook that loads can be saved again unchanged: a file must be UTF-8; each free-form value
 * (metadata, output data, an unknown field) nests at most {@link MAX_NESTING} levels of objects and arrays and holds
 * no number beyond the range of a double (JSON would write it as `null`). Size is not limited: a file loads when its
 * text fits in one JavaScript string (about 512 MB in Node.js); a larger one is refused with a clear error. When two
 * members of an object have the same key, the last one counts, as in JSON.parse.
 */

/** The notebook type id of package.json's `notebooks` contribution. */
export const NOTEBOOK_TYPE = 'voice-emotion-notebook';

/** The `format` field of every `.emonb` file. */
export const NOTEBOOK_FORMAT = 'voice-emotion-notebook';

/** The file version this code writes, and the newest it reads. */
export const NOTEBOOK_VERSION = 1;

/** The metadata key under which the model keeps the fields of the file that this version does not know. */
export const UNKNOWN_FIELDS_KEY = 'voiceEmotion.unknown';

/**
 * How many levels of objects and arrays one free-form value of a file (metadata, output data, an unknown field) may
 * nest; `{}` is one level. Writing a file recurses once per level, and without a bound a file nested a few thousand
 * levels deep would load but overflow the stack when saved. No real metadata or output comes near 64 levels.
 */
export const MAX_NESTING = 64;

/**
 * The deepest nesting of a whole file that the JSON error locator follows: {@link MAX_NESTING} plus the file's own
 * levels above an output item's data (file, cells, cell, outputs, output, items, item). Any deeper file is refused.
 */
const MAX_FILE_NESTING = MAX_NESTING + 7;

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A whole `.emonb` file. */
export interface RawNotebook {
  readonly format: typeof NOTEBOOK_FORMAT;
  readonly version: number;
  readonly metadata?: JsonObject;
  readonly cells: RawCell[];
  /** Fields this version does not know, in file order. */
  readonly extra?: JsonObject;
}

/** One cell of a file. */
export interface RawCell {
  readonly kind: 'markdown' | 'code';
  /** `typescript`, `javascript` or `markdown`. */
  readonly language?: string;
  readonly source: string;
  readonly outputs?: RawOutput[];
  readonly executionSummary?: RawExecutionSummary;
  readonly metadata?: JsonObject;
  readonly extra?: JsonObject;
}

/** One output of a code cell: the same result in one or more MIME types. */
export interface RawOutput {
  readonly id?: string;
  readonly items: RawOutputItem[];
  readonly metadata?: JsonObject;
  readonly extra?: JsonObject;
}

/** One representation of an output; see {@link encodeItemData} for the form of `data`. */
export interface RawOutputItem {
  readonly mime: string;
  /** Present when the bytes could not be held in the MIME type's usual form. */
  readonly encoding?: 'base64';
  readonly data: JsonValue;
  readonly extra?: JsonObject;
}

/** When and how a cell last ran. */
export interface RawExecutionSummary {
  readonly executionOrder?: number;
  readonly success?: boolean;
  readonly timing?: RawTiming;
  readonly extra?: JsonObject;
}

/** Start and end of a run, as Unix times in milliseconds. */
export interface RawTiming {
  readonly startTime: number;
  readonly endTime: number;
  readonly extra?: JsonObject;
}

/** A problem with the contents of a notebook file; its message names the problem for the user. */
export class NotebookFormatError extends Error {
  override readonly name = 'NotebookFormatError';
}

const MAX_FOUND_LENGTH = 40;

/** Known keys per level, in the order they are written. */
const NOTEBOOK_KEYS = ['format', 'version', 'metadata', 'cells'] as const;
const CELL_KEYS = ['kind', 'language', 'source', 'outputs', 'executionSummary', 'metadata'] as const;
const OUTPUT_KEYS = ['id', 'items', 'metadata'] as const;
const ITEM_KEYS = ['mime', 'encoding', 'data'] as const;
const SUMMARY_KEYS = ['executionOrder', 'success', 'timing'] as const;
const TIMING_KEYS = ['startTime', 'endTime'] as const;

// ---------------------------------------------------------------------------------------------------------------
// Small JSON helpers

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own property, also for the key `__proto__`, which plain assignment would turn into a prototype change. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function hasOwn(target: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(target, key);
}

/**
 * Why a free-form value cannot be kept as it is — nested deeper than {@link MAX_NESTING}, or holding a number JSON
 * cannot write — or undefined when it can. Walks the value without recursion, so any depth is safe to check. Turns
 * each -0 inside the value into 0, in place, as JSON.stringify writes it, so that a load, save and load agree.
 */
function valueProblem(value: JsonValue): string | undefined {
  const tooLarge = (element: JsonValue) => typeof element === 'number' && !Number.isFinite(element);
  if (tooLarge(value)) return 'holds a number too large to store (beyond ±1.8e308)';
  if (typeof value !== 'object' || value === null) return undefined;
  const pending: [JsonValue[] | JsonObject, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [container, depth] = pending.pop()!;
    if (depth > MAX_NESTING) return `is nested more than ${MAX_NESTING} levels deep (a notebook keeps at most ${MAX_NESTING} levels of objects and arrays)`;
    const keys = Array.isArray(container) ? container.keys() : Object.keys(container);
    for (const key of keys) {
      const element = (container as Record<string | number, JsonValue>)[key];
      if (tooLarge(element)) return 'holds a number too large to store (beyond ±1.8e308)';
      if (typeof element === 'object' && element !== null) pending.push([element, depth + 1]);
      else if (Object.is(element, -0)) (container as Record<string | number, JsonValue>)[key] = 0;
    }
  }
  return undefined;
}

/** `value` with -0 written as 0, as JSON.stringify writes it. */
function withoutNegativeZero<T>(value: T): T {
  return (Object.is(value, -0) ? 0 : value) as T;
}

/** `value` as JSON (what JSON.stringify keeps of it), or undefined when it has no JSON form. */
function toJson(value: unknown): JsonValue | undefined {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  return text === undefined ? undefined : (JSON.parse(text) as JsonValue);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' && !Number.isFinite(value)) return `${value}, a number too large to store`;
  const text = JSON.stringify(typeof value === 'string' ? value.slice(0, MAX_FOUND_LENGTH) : value);
  return text.length > MAX_FOUND_LENGTH ? `${text.slice(0, MAX_FOUND_LENGTH - 1)}…` : text;
}

// ---------------------------------------------------------------------------------------------------------------
// Output item data

const JSON_MIME_EXACT = new Set(['application/json', 'application/vnd.code.notebook.error']);
const TEXT_MIME_EXACT = new Set([
  'application/vnd.code.notebook.stdout',
  'application/vnd.code.notebook.stderr',
  'application/javascript',
  'application/xml',
]);

/** The MIME type without parameters, in lower case (`Text/Plain; charset=utf-8` → `text/plain`). */
function essence(mime: string): string {
  return mime.split(';')[0].trim().toLowerCase();
}

/** How a MIME type's data is held in the file: as a JSON value, as a string, or as base64. */
export function mimeStorage(mime: string): 'json' | 'text' | 'binary' {
  const type = essence(mime);
  if (JSON_MIME_EXACT.has(type) || type.endsWith('+json')) return 'json';
  if (type.startsWith('text/') || TEXT_MIME_EXACT.has(type) || type.endsWith('+xml')) return 'text';
  return 'binary';
}

/** A character outside the base64 alphabet (tested on the text before its padding). */
const NOT_BASE64 = /[^A-Za-z0-9+/]/;
const BASE64_CHUNK = 0x8000;

/** Standard base64 (with padding) of `bytes`. */
export function bytesToBase64(bytes: Uint8Array): string {
  const chunks: string[] = [];
  // `apply` takes the typed array as it is; spreading it into arguments is several times slower.
  for (let i = 0; i < bytes.length; i += BASE64_CHUNK) chunks.push(String.fromCharCode.apply(null, bytes.subarray(i, i + BASE64_CHUNK) as unknown as number[]));
  return btoa(chunks.join(''));
}

/**
 * Whether `text` is padded base64: groups of four alphabet characters, the last ending in at most two `=`. Checked
 * without a repeating regular-expression group, which overflows the stack on text of some megabytes.
 */
function isBase64(text: string): boolean {
  if (text.length % 4 !== 0) return false;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return !NOT_BASE64.test(text.slice(0, text.length - padding));
}

/** The bytes of standard base64 text; undefined when `text` is not canonical padded base64. */
export function base64ToBytes(text: string): Uint8Array | undefined {
  if (!isBase64(text)) return undefined;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const utf8Encoder = new TextEncoder();
/** Strict UTF-8 that keeps a byte order mark as U+FEFF, so that text → bytes gives back the same bytes. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function utf8OrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The file form of an output item's bytes: a JSON value for JSON types, a string for text types, and
 * `{ "base64": "…" }` otherwise or when the bytes are not valid JSON / UTF-8, or are JSON that a file could not hold
 * (nested deeper than {@link MAX_NESTING}, or with a number beyond a double's range) — then with `encoding: 'base64'`.
 */
export function encodeItemData(mime: string, bytes: Uint8Array): { data: JsonValue; encoding?: 'base64' } {
  const storage = mimeStorage(mime);
  const base64 = (): JsonObject => ({ base64: bytesToBase64(bytes) });
  if (storage === 'binary') return { data: base64() };
  const text = utf8OrUndefined(bytes);
  if (text !== undefined && storage === 'text') return { data: text };
  if (text !== undefined) {
    let value: JsonValue | undefined;
    try {
      value = JSON.parse(text) as JsonValue;
    } catch {
      // Not JSON: kept as base64 below.
    }
    // JSON nested too deeply to read back, or with a number JSON would write as null, keeps its exact bytes instead.
    if (value !== undefined && !valueProblem(value)) return { data: value };
  }
  return { data: base64(), encoding: 'base64' };
}

/** Why `data` is not a valid file form for `mime` (see {@link encodeItemData}), or undefined when it is. */
function itemDataProblem(mime: string, data: JsonValue, encoding: 'base64' | undefined): string | undefined {
  if (encoding === 'base64' || mimeStorage(mime) === 'binary') {
    const valid = isObject(data) && typeof data.base64 === 'string' && base64ToBytes(data.base64) !== undefined;
    return valid ? undefined : `"data" must be {"base64": "…"} with valid base64 for ${mime} (found ${describe(isObject(data) ? data.base64 : data)})`;
  }
  if (mimeStorage(mime) === 'text' && typeof data !== 'string') return `"data" must be a string for ${mime} (found ${describe(data)})`;
  return undefined;
}

/** The bytes of an output item from its file form; throws a {@link NotebookFormatError} when `data` does not fit `mime`. */
export function decodeItemData(mime: string, data: JsonValue, encoding?: 'base64'): Uint8Array {
  const problem = itemDataProblem(mime, data, encoding);
  if (problem) throw new NotebookFormatError(`Output item is malformed: ${problem}.`);
  if (encoding === 'base64' || mimeStorage(mime) === 'binary') return base64ToBytes((data as JsonObject).base64 as string)!;
  return utf8Encoder.encode(mimeStorage(mime) === 'text' ? (data as string) : JSON.stringify(data));
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

/** Where and why a text is not JSON. */
class JsonSyntaxProblem {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

/** Finds where `text` stops being JSON (JSON.parse's messages differ between Node versions, and some have no position). */
function locateJsonError(text: string): { offset: number; reason: string } | undefined {
  let i = 0;
  const fail = (reason: string): never => {
    throw new JsonSyntaxProblem(i, reason);
  };
  const unexpected = (expected: string): never =>
    fail(i >= text.length ? `unexpected end of file, expected ${expected}` : `unexpected ${JSON.stringify(text[i])}, expected ${expected}`);
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const literal = (word: string) => {
    for (const char of word) {
      if (text[i] !== char) unexpected(`"${word}"`);
      i++;
    }
  };
  const string = () => {
    i++;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const char = text[i];
      if (char === '"') {
        i++;
        return;
      }
      if (char < ' ') fail('control character in a string (write it as an escape, e.g. \\n)');
      if (char === '\\') {
        i++;
        if (text[i] === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? '')) unexpected('four hex digits after \\u');
        } else if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i])) i++;
        else unexpected('an escape character');
      } else i++;
    }
  };
  const number = () => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match) unexpected('a value');
    i += match![0].length;
  };
  let depth = 0;
  const value = (): void => {
    space();
    const char = text[i];
    if ((char === '{' || char === '[') && ++depth > MAX_FILE_NESTING) {
      fail(`objects and arrays are nested too deeply (a notebook keeps at most ${MAX_NESTING} levels in metadata and outputs)`);
    }
    if (char === '{') {
      i++;
      space();
      if (text[i] === '}') return void (i++, depth--);
      for (;;) {
        space();
        if (text[i] !== '"') unexpected('a property name in double quotes');
        string();
        space();
        if (text[i] !== ':') unexpected('":"');
        i++;
        value();
        space();
        if (text[i] === '}') return void (i++, depth--);
        if (text[i] !== ',') unexpected('"," or "}"');
        i++;
      }
    }
    if (char === '[') {
      i++;
      space();
      if (text[i] === ']') return void (i++, depth--);
      for (;;) {
        value();
        space();
        if (text[i] === ']') return void (i++, depth--);
        if (text[i] !== ',') unexpected('"," or "]"');
        i++;
      }
    }
    if (char === '"') return string();
    if (char === 't') return literal('true');
    if (char === 'f') return literal('false');
    if (char === 'n') return literal('null');
    number();
  };
  try {
    value();
    space();
    if (i < text.length) unexpected('the end of the file');
    return undefined;
  } catch (error) {
    if (error instanceof JsonSyntaxProblem) return error;
    return undefined;
  }
}

/** 1-based line and column of a UTF-16 offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === '\n') {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Validates one level of the file, naming where it is in error messages. */
class Validator {
  constructor(private readonly fileName: string) {}

  fail(where: string, problem: string): never {
    throw new NotebookFormatError(`${this.fileName} is malformed: ${where ? `${where}: ` : ''}${problem}.`);
  }

  object(where: string, value: unknown, what: string): JsonObject {
    if (!isObject(value)) this.fail(where, `${what} must be an object (found ${describe(value)})`);
    return value as JsonObject;
  }

  /** A free-form value: any JSON within the file's limits (see {@link valueProblem}). */
  value(where: string, key: string, value: JsonValue): JsonValue {
    const problem = valueProblem(value);
    if (problem) this.fail(where, `"${key}" ${problem}`);
    return withoutNegativeZero(value);
  }

  /** The object under `key` when there is one, as a free-form value (metadata). */
  optionalObject(where: string, owner: JsonObject, key: string): JsonObject | undefined {
    return hasOwn(owner, key) ? (this.value(where, key, this.object(where, owner[key], `"${key}"`)) as JsonObject) : undefined;
  }

  /** The members of `object` whose keys are not in `known`, each a free-form value; undefined when there are none. */
  unknownFields(where: string, object: JsonObject, known: readonly string[]): JsonObject | undefined {
    let extra: JsonObject | undefined;
    for (const key of Object.keys(object)) {
      if (known.includes(key)) continue;
      extra ??= {};
      setOwn(extra, key, this.value(where, key, object[key]));
    }
    return extra;
  }

  array(where: string, owner: JsonObject, key: string): JsonValue[] {
    const value = owner[key];
    if (!Array.isArray(value)) this.fail(where, `"${key}" must be an array (found ${describe(value)})`);
    return value as JsonValue[];
  }

  string(where: string, owner: JsonObject, key: string, optional: boolean): string | undefined {
    if (optional && !hasOwn(owner, key)) return undefined;
    const value = owner[key];
    if (typeof value !== 'string') this.fail(where, `"${key}" must be a string (found ${describe(value)})`);
    return value as string;
  }

  number(where: string, owner: JsonObject, key: string, optional: boolean): number | undefined {
    if (optional && !hasOwn(owner, key)) return undefined;
    const value = owner[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(where, `"${key}" must be a number (found ${describe(value)})`);
    return withoutNegativeZero(value as number);
  }
}

/** Returns `fields` without the members whose value is undefined, so that optional fields are absent, not undefined. */
function defined<T extends object>(fields: T): T {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) setOwn(result, key, value);
  return result as T;
}

function parseItem(check: Validator, where: string, value: JsonValue): RawOutputItem {
  const item = check.object(where, value, 'an output item');
  const mime = check.string(where, item, 'mime', false)!;
  if (!mime.trim()) check.fail(where, '"mime" must not be empty');
  let encoding: 'base64' | undefined;
  if (hasOwn(item, 'encoding')) {
    if (item.encoding !== 'base64') check.fail(where, `"encoding" must be "base64" (found ${describe(item.encoding)})`);
    encoding = 'base64';
  }
  if (!hasOwn(item, 'data')) check.fail(where, 'the output item has no "data"');
  const problem = itemDataProblem(mime, item.data, encoding);
  if (problem) check.fail(where, problem);
  const data = check.value(where, 'data', item.data);
  return defined({ mime, encoding, data, extra: check.unknownFields(where, item, ITEM_KEYS) });
}

function parseOutput(check: Validator, where: string, value: JsonValue): RawOutput {
  const output = check.object(where, value, 'an output');
  const id = check.string(where, output, 'id', true);
  const items = check.array(where, output, 'items').map((item, k) => parseItem(check, `${where}, item ${k + 1}`, item));
  const metadata = check.optionalObject(where, output, 'metadata');
  return defined({ id, items, metadata, extra: check.unknownFields(where, output, OUTPUT_KEYS) });
}

function parseSummary(check: Validator, where: string, value: JsonValue): RawExecutionSummary {
  const summary = check.object(where, value, '"executionSummary"');
  const executionOrder = check.number(where, summary, 'executionOrder', true);
  let success: boolean | undefined;
  if (hasOwn(summary, 'success')) {
    if (typeof summary.success !== 'boolean') check.fail(where, `"success" must be true or false (found ${describe(summary.success)})`);
    success = summary.success as boolean;
  }
  let timing: RawTiming | undefined;
  if (hasOwn(summary, 'timing')) {
    const raw = check.object(`${where}, timing`, summary.timing, '"timing"');
    const startTime = check.number(`${where}, timing`, raw, 'startTime', false)!;
    const endTime = check.number(`${where}, timing`, raw, 'endTime', false)!;
    timing = defined({ startTime, endTime, extra: check.unknownFields(`${where}, timing`, raw, TIMING_KEYS) });
  }
  return defined({ executionOrder, success, timing, extra: check.unknownFields(where, summary, SUMMARY_KEYS) });
}

function parseCell(check: Validator, where: string, value: JsonValue): RawCell {
  const cell = check.object(where, value, 'a cell');
  if (cell.kind !== 'markdown' && cell.kind !== 'code') check.fail(where, `"kind" must be "markdown" or "code" (found ${describe(cell.kind)})`);
  const kind = cell.kind as RawCell['kind'];
  const language = check.string(where, cell, 'language', true);
  const source = check.string(where, cell, 'source', false)!;
  const outputs = hasOwn(cell, 'outputs')
    ? check.array(where, cell, 'outputs').map((output, k) => parseOutput(check, `${where}, output ${k + 1}`, output))
    : undefined;
  const executionSummary = hasOwn(cell, 'executionSummary') ? parseSummary(check, `${where}, executionSummary`, cell.executionSummary) : undefined;
  const metadata = check.optionalObject(where, cell, 'metadata');
  return defined({ kind, language, source, outputs, executionSummary, metadata, extra: check.unknownFields(where, cell, CELL_KEYS) });
}

/**
 * Reads and validates the text of an `.emonb` file. An empty (or blank) file is an empty notebook. Throws a
 * {@link NotebookFormatError} naming the problem when the text is not JSON, not this format, from a newer
 * version, or malformed; `fileName` starts those messages.
 */
export function parseNotebook(text: string, fileName = 'The notebook file'): RawNotebook {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (!body.trim()) return { format: NOTEBOOK_FORMAT, version: NOTEBOOK_VERSION, metadata: {}, cells: [] };
  let json: JsonValue;
  try {
    json = JSON.parse(body) as JsonValue;
  } catch (error) {
    const located = locateJsonError(body);
    const fromMessage = /position (\d+)/.exec(String((error as Error).message));
    const offset = located?.offset ?? (fromMessage ? Number(fromMessage[1]) : body.length);
    const { line, column } = lineAndColumn(body, offset);
    const reason = located?.reason ?? (error as Error).message;
    throw new NotebookFormatError(`${fileName} is not valid JSON at line ${line}, column ${column}: ${reason}.`);
  }
  if (!isObject(json) || json.format !== NOTEBOOK_FORMAT) {
    const found = isObject(json) ? (hasOwn(json, 'format') ? `"format" is ${describe(json.format)}` : 'it has no "format" field') : `it holds ${describe(json)}, not an object`;
    throw new NotebookFormatError(`${fileName} is not a Voice Emotion notebook: ${found}; expected "format": "${NOTEBOOK_FORMAT}".`);
  }
  const version = json.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new NotebookFormatError(`${fileName} is malformed: "version" must be a whole number from 1 (found ${describe(version)}).`);
  }
  if (version > NOTEBOOK_VERSION) {
    throw new NotebookFormatError(
      `${fileName} was written by a newer Voice Emotion Lab (version ${version}); this version reads version ${NOTEBOOK_VERSION}. Update the extension to open it.`,
    );
  }
  const check = new Validator(fileName);
  const metadata = check.optionalObject('', json, 'metadata');
  const cells = check.array('', json, 'cells').map((cell, k) => parseCell(check, `cell ${k + 1}`, cell));
  return defined({ format: NOTEBOOK_FORMAT, version, metadata, cells, extra: check.unknownFields('', json, NOTEBOOK_KEYS) });
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

/** An object whose members are written in the given order (plain objects put index-like keys first). */
class Ordered {
  constructor(readonly members: readonly (readonly [string, Printable])[]) {}
}

type Printable = null | boolean | number | string | Ordered | JsonObject | readonly Printable[];

function ordered(known: readonly (readonly [string, Printable | undefined])[], extra: JsonObject | undefined): Ordered {
  const members: [string, Printable][] = [];
  for (const [key, value] of known) if (value !== undefined) members.push([key, value]);
  if (extra) for (const key of Object.keys(extra)) if (!known.some(([name]) => name === key)) members.push([key, extra[key]]);
  return new Ordered(members);
}

function print(value: Printable, indent: string): string {
  if (value instanceof Ordered) return printMembers(value.members, indent);
  if (isPrintableArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((element) => element === null || typeof element !== 'object')) return `[${value.map((element) => print(element, indent)).join(', ')}]`;
    const inner = `${indent} `;
    return `[\n${value.map((element) => inner + print(element, inner)).join(',\n')}\n${indent}]`;
  }
  if (isObject(value)) return printMembers(Object.keys(value).map((key) => [key, value[key]] as const), indent);
  return JSON.stringify(value) ?? 'null';
}

function isPrintableArray(value: Printable): value is readonly Printable[] {
  return Array.isArray(value);
}

function printMembers(members: readonly (readonly [string, Printable])[], indent: string): string {
  if (members.length === 0) return '{}';
  const inner = `${indent} `;
  return `{\n${members.map(([key, value]) => `${inner}${JSON.stringify(key)}: ${print(value, inner)}`).join(',\n')}\n${indent}}`;
}

function orderedItem(item: RawOutputItem): Ordered {
  return ordered([['mime', item.mime], ['encoding', item.encoding], ['data', item.data]], item.extra);
}

function orderedOutput(output: RawOutput): Ordered {
  return ordered([['id', output.id], ['items', output.items.map(orderedItem)], ['metadata', output.metadata]], output.extra);
}

function orderedSummary(summary: RawExecutionSummary): Ordered {
  const timing = summary.timing && ordered([['startTime', summary.timing.startTime], ['endTime', summary.timing.endTime]], summary.timing.extra);
  return ordered([['executionOrder', summary.executionOrder], ['success', summary.success], ['timing', timing]], summary.extra);
}

function orderedCell(cell: RawCell): Ordered {
  return ordered(
    [
      ['kind', cell.kind],
      ['language', cell.language],
      ['source', cell.source],
      ['outputs', cell.outputs?.map(orderedOutput)],
      ['executionSummary', cell.executionSummary && orderedSummary(cell.executionSummary)],
      ['metadata', cell.metadata],
    ],
    cell.extra,
  );
}

/**
 * The canonical text of a notebook: known keys in a fixed order, unknown keys after them in their order,
 * one-space indentation, one cell per block, and a trailing newline. Serializing the same notebook twice gives
 * the same text, and parsing a canonical file and serializing it gives the file back byte for byte.
 */
export function serializeNotebook(raw: RawNotebook): string {
  const root = ordered(
    [
      ['format', raw.format],
      ['version', raw.version],
      ['metadata', raw.metadata],
      ['cells', raw.cells.map(orderedCell)],
    ],
    raw.extra,
  );
  return `${print(root, '')}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// The model: what VS Code's NotebookData holds, without the `vscode` classes

/** Metadata as VS Code holds it: anything JSON-stringifiable. */
export type ModelMetadata = { [key: string]: unknown };

/** A notebook as VS Code's NotebookData holds it. */
export interface NotebookModel {
  cells: CellModel[];
  metadata?: ModelMetadata;
}

/** A cell as VS Code's NotebookCellData holds it (`markdown` is NotebookCellKind.Markup, `code` is Code). */
export interface CellModel {
  kind: 'markdown' | 'code';
  value: string;
  languageId: string;
  outputs?: OutputModel[];
  executionSummary?: ExecutionSummaryModel;
  metadata?: ModelMetadata;
}

/** An output as VS Code's NotebookCellOutput holds it. */
export interface OutputModel {
  items: { mime: string; data: Uint8Array }[];
  metadata?: ModelMetadata;
}

/** VS Code's NotebookCellExecutionSummary (VS Code may hand it over with every field undefined). */
export interface ExecutionSummaryModel {
  executionOrder?: number;
  success?: boolean;
  timing?: { startTime: number; endTime: number };
}

/** What the model keeps under {@link UNKNOWN_FIELDS_KEY}, per level. */
interface NotebookUnknown {
  /** Unknown fields of the file object. */
  fields?: JsonObject;
  /** The value the file's own metadata had under UNKNOWN_FIELDS_KEY, if any. */
  shadowed?: JsonValue;
}
interface CellUnknown extends NotebookUnknown {
  executionSummary?: JsonObject;
  timing?: JsonObject;
}
interface OutputUnknown extends NotebookUnknown {
  /** The output's `id` in the file (VS Code's stable API has no output ids). */
  id?: string;
  /** Unknown fields of each output item, by index. */
  items?: (JsonObject | null)[];
}

/** A copy of file metadata for the model, with `unknown` (if it says anything) under UNKNOWN_FIELDS_KEY. */
function withUnknown(metadata: JsonObject | undefined, unknown: CellUnknown & OutputUnknown): ModelMetadata {
  const result: ModelMetadata = {};
  for (const key of Object.keys(metadata ?? {})) setOwn(result, key, metadata![key]);
  if (metadata && hasOwn(metadata, UNKNOWN_FIELDS_KEY)) unknown.shadowed = metadata[UNKNOWN_FIELDS_KEY];
  const payload = defined(unknown);
  if (Object.keys(payload).length > 0) setOwn(result, UNKNOWN_FIELDS_KEY, payload);
  return result;
}

/**
 * Splits model metadata into the file's metadata and what was kept under UNKNOWN_FIELDS_KEY. Throws a
 * {@link NotebookFormatError} naming `where` when the metadata could not be read back from the file (see
 * {@link valueProblem}): better a failed save than a file that does not open.
 */
function withoutUnknown<T extends NotebookUnknown>(metadata: ModelMetadata | undefined, where: string): { metadata: JsonObject; unknown: T } {
  const result: JsonObject = {};
  let unknown: T;
  try {
    const stored = metadata && hasOwn(metadata, UNKNOWN_FIELDS_KEY) ? toJson(metadata[UNKNOWN_FIELDS_KEY]) : undefined;
    unknown = (isObject(stored) ? stored : {}) as unknown as T;
    for (const key of Object.keys(metadata ?? {})) {
      const value = key === UNKNOWN_FIELDS_KEY ? unknown.shadowed : toJson(metadata![key]);
      if (value !== undefined) setOwn(result, key, value);
    }
  } catch (error) {
    // JSON.stringify overflows the stack on values some thousands of levels deep.
    if (!(error instanceof RangeError)) throw error;
    throw new NotebookFormatError(`The notebook cannot be saved: ${where}"metadata" is nested too deeply or is too large to write.`);
  }
  const problem = valueProblem(result);
  if (problem) throw new NotebookFormatError(`The notebook cannot be saved: ${where}"metadata" ${problem}.`);
  return { metadata: result, unknown };
}

function objectOrUndefined(value: unknown): JsonObject | undefined {
  return isObject(value) && Object.keys(value).length > 0 ? value : undefined;
}

/** Converts a parsed file into the model VS Code opens; unknown fields go into metadata under {@link UNKNOWN_FIELDS_KEY}. */
export function notebookToModel(raw: RawNotebook): NotebookModel {
  return {
    metadata: withUnknown(raw.metadata, { fields: raw.extra }),
    cells: raw.cells.map((cell): CellModel => {
      const summary = cell.executionSummary;
      const model: CellModel = {
        kind: cell.kind,
        value: cell.source,
        languageId: cell.kind === 'markdown' ? 'markdown' : (cell.language ?? 'typescript'),
        outputs: (cell.outputs ?? []).map((output) => ({
          items: output.items.map((item) => ({ mime: item.mime, data: decodeItemData(item.mime, item.data, item.encoding) })),
          metadata: withUnknown(output.metadata, {
            id: output.id,
            fields: output.extra,
            items: output.items.some((item) => item.extra) ? output.items.map((item) => item.extra ?? null) : undefined,
          }),
        })),
        metadata: withUnknown(cell.metadata, { fields: cell.extra, executionSummary: summary?.extra, timing: summary?.timing?.extra }),
      };
      if (summary && (summary.executionOrder !== undefined || summary.success !== undefined || summary.timing)) {
        model.executionSummary = defined({
          executionOrder: summary.executionOrder,
          success: summary.success,
          timing: summary.timing && { startTime: summary.timing.startTime, endTime: summary.timing.endTime },
        });
      }
      return model;
    }),
  };
}

function summaryToRaw(summary: ExecutionSummaryModel | undefined, unknown: CellUnknown): RawExecutionSummary | undefined {
  const executionOrder = Number.isFinite(summary?.executionOrder) ? summary!.executionOrder : undefined;
  const success = typeof summary?.success === 'boolean' ? summary.success : undefined;
  const timing = summary?.timing;
  const hasTiming = timing !== undefined && timing !== null && Number.isFinite(timing.startTime) && Number.isFinite(timing.endTime);
  const extra = objectOrUndefined(unknown.executionSummary);
  if (executionOrder === undefined && success === undefined && !hasTiming && !extra) return undefined;
  return defined({
    executionOrder,
    success,
    timing: hasTiming ? defined({ startTime: timing.startTime, endTime: timing.endTime, extra: objectOrUndefined(unknown.timing) }) : undefined,
    extra,
  });
}

function outputToRaw(output: OutputModel, where: string): RawOutput {
  const { metadata, unknown } = withoutUnknown<OutputUnknown>(output.metadata, where);
  const itemExtras = Array.isArray(unknown.items) ? unknown.items : [];
  return defined({
    id: typeof unknown.id === 'string' ? unknown.id : undefined,
    items: output.items.map((item, k) => defined({ mime: item.mime, ...encodeItemData(item.mime, item.data), extra: objectOrUndefined(itemExtras[k]) })),
    metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
    extra: objectOrUndefined(unknown.fields),
  });
}

/**
 * Converts the model VS Code saves into the file's raw form, in canonical shape: notebook metadata always; per cell
 * its language, source, outputs (always for code cells, for markdown cells only when there are some), the execution
 * summary when it says something, and metadata when not empty; and the unknown fields that were loaded.
 */
export function modelToNotebook(model: NotebookModel): RawNotebook {
  const { metadata, unknown } = withoutUnknown<NotebookUnknown>(model.metadata, '');
  return defined({
    format: NOTEBOOK_FORMAT,
    version: NOTEBOOK_VERSION,
    metadata,
    cells: model.cells.map((cell, k): RawCell => {
      const { metadata: cellMetadata, unknown: cellUnknown } = withoutUnknown<CellUnknown>(cell.metadata, `cell ${k + 1}: `);
      const outputs = (cell.outputs ?? []).map((output, o) => outputToRaw(output, `cell ${k + 1}, output ${o + 1}: `));
      return defined({
        kind: cell.kind,
        language: cell.kind === 'markdown' ? 'markdown' : cell.languageId,
        source: cell.value,
        outputs: cell.kind === 'code' || outputs.length > 0 ? outputs : undefined,
        executionSummary: summaryToRaw(cell.executionSummary, cellUnknown),
        metadata: Object.keys(cellMetadata).length > 0 ? cellMetadata : undefined,
        extra: objectOrUndefined(cellUnknown.fields),
      });
    }),
    extra: objectOrUndefined(unknown.fields),
  });
}

/** Offset of the first byte of `bytes` that is not part of well-formed UTF-8, or -1 when all of it is UTF-8. */
function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i];
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    // After E0, ED, F0 and F4 the second byte's range is narrower: no overlong forms, surrogates, or code points past U+10FFFF.
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k < length; k++) {
      const byte = bytes[i + k];
      if (byte === undefined || byte < (k === 1 ? low : 0x80) || byte > (k === 1 ? high : 0xbf)) return i;
    }
    i += length;
  }
  return -1;
}

/**
 * The text of a file's bytes: UTF-8, without a leading byte order mark. Throws a {@link NotebookFormatError} when the
 * bytes are not UTF-8 (replacing them would change the file on the next save) or too many for one string.
 */
function decodeFileText(bytes: Uint8Array, fileName: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (error instanceof RangeError || code === 'ERR_STRING_TOO_LONG') {
      throw new NotebookFormatError(`${fileName} is too large to open (${Math.round(bytes.length / 2 ** 20)} MB).`);
    }
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
      throw new NotebookFormatError(`${fileName} is UTF-16 text; a notebook file must be UTF-8. Save it as UTF-8 to open it.`);
    }
    const offset = invalidUtf8Offset(bytes);
    const line = bytes.subarray(0, Math.max(offset, 0)).reduce((count, byte) => count + (byte === 0x0a ? 1 : 0), 1);
    const where = offset < 0 ? '' : ` at line ${line} (byte ${offset}, 0x${bytes[offset].toString(16).padStart(2, '0')})`;
    throw new NotebookFormatError(`${fileName} is not valid UTF-8${where}; a notebook file must be UTF-8. Save it as UTF-8 to open it.`);
  }
}

/**
 * Reads an `.emonb` file's bytes (UTF-8) into the model; throws a {@link NotebookFormatError} as {@link parseNotebook},
 * and when the bytes are not UTF-8.
 */
export function bytesToModel(bytes: Uint8Array, fileName = 'The notebook file'): NotebookModel {
  return notebookToModel(parseNotebook(decodeFileText(bytes, fileName), fileName));
}

/** The canonical `.emonb` bytes (UTF-8) of a model. */
export function modelToBytes(model: NotebookModel): Uint8Array {
  return utf8Encoder.encode(serializeNotebook(modelToNotebook(model)));
}
