/**
 * A deterministic corpus of malformed and unusual `.emonb` notebook files, built from a valid notebook (the shipped
 * quickstart) and a small hand-built one with every kind of output. Each variant says whether it must load, must be
 * refused, or may do either; a refusal must be a clear error naming the file. Large variants are built on demand.
 */
import { Random } from '../../src/core/random';

/** What a variant must do when read. */
export type NotebookExpectation = 'load' | 'refuse' | 'either';

/** One corpus file: a name, what it must do, and how to build its bytes. */
export interface NotebookVariant {
  readonly name: string;
  readonly expect: NotebookExpectation;
  /** What a refusal must say, besides the file name. */
  readonly problem?: RegExp;
  /** The file's bytes (built when asked, so that the large variants are not all held at once). */
  readonly bytes: () => Uint8Array;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonRecord = { [key: string]: Json };

const utf8 = (text: string) => new TextEncoder().encode(text);

/** A small notebook with a markdown cell and a code cell holding JSON, text, binary and base64-fallback outputs. */
export const SMALL_NOTEBOOK = `{
 "format": "voice-emotion-notebook",
 "version": 1,
 "metadata": {
  "title": "Small",
  "kernel": {"seed": 7}
 },
 "cells": [
  {
   "kind": "markdown",
   "language": "markdown",
   "source": "# Clip\\n\\nOne clip."
  },
  {
   "kind": "code",
   "language": "typescript",
   "source": "table(stats(clip));",
   "outputs": [
    {
     "id": "out-1",
     "items": [
      {"mime": "application/vnd.voice-emotion.table+json", "data": {"columns": ["name", "value"], "rows": [["rms", 0.041]]}},
      {"mime": "text/plain", "data": "rms 0.041\\n"}
     ],
     "metadata": {"display": "stats"}
    },
    {
     "items": [
      {"mime": "image/png", "data": {"base64": "iVBORw0KGgo="}},
      {"mime": "application/json", "encoding": "base64", "data": {"base64": "bm90IGpzb24="}}
     ]
    }
   ],
   "executionSummary": {"executionOrder": 3, "success": true, "timing": {"startTime": 1718000000000, "endTime": 1718000000420}},
   "metadata": {"tags": ["stats"]}
  }
 ]
}
`;

/** `{"a": {"a": … {} …}}`, `levels` objects deep, written as text (JSON.stringify overflows on deep values). */
function deepObjectText(levels: number): string {
  return `${'{"a": '.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
}

/** `[[…[]…]]`, `levels` arrays deep. */
function deepArrayText(levels: number): string {
  return `${'['.repeat(levels)}${']'.repeat(levels)}`;
}

function clone(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** The corpus, built from the text of a valid notebook (`base`, e.g. notebooks/quickstart.emonb). */
export function notebookCorpus(base: string): NotebookVariant[] {
  const variants: NotebookVariant[] = [];
  const add = (name: string, expect: NotebookExpectation, bytes: () => Uint8Array, problem?: RegExp) => variants.push({ name, expect, bytes, problem });
  const addText = (name: string, expect: NotebookExpectation, text: () => string, problem?: RegExp) => add(name, expect, () => utf8(text()), problem);
  const small = JSON.parse(SMALL_NOTEBOOK) as JsonRecord;
  /** The small notebook after `change`, as JSON text; `{{DEEP}}` strings are then replaced by raw text. */
  const changed = (change: (notebook: JsonRecord, cells: JsonRecord[]) => void, raw: Record<string, string> = {}) => () => {
    const notebook = clone(small) as JsonRecord;
    change(notebook, notebook.cells as JsonRecord[]);
    let text = JSON.stringify(notebook, null, 1);
    for (const [marker, replacement] of Object.entries(raw)) text = text.replace(JSON.stringify(marker), () => replacement);
    return text;
  };
  const outputsOf = (cells: JsonRecord[]) => cells[1].outputs as JsonRecord[];
  const itemsOf = (cells: JsonRecord[], output: number) => outputsOf(cells)[output].items as JsonRecord[];
  const summaryOf = (cells: JsonRecord[]) => cells[1].executionSummary as JsonRecord;

  // The valid bases, as they are and with a byte order mark.
  addText('quickstart', 'load', () => base);
  addText('small', 'load', () => SMALL_NOTEBOOK);
  add('bom', 'load', () => utf8(`\uFEFF${SMALL_NOTEBOOK}`));
  add('two-boms', 'load', () => utf8(`\uFEFF\uFEFF${SMALL_NOTEBOOK}`));
  addText('empty', 'load', () => '');
  addText('blank', 'load', () => ' \n\t\r\n');
  addText('minified', 'load', () => JSON.stringify(JSON.parse(base)));
  addText('crlf', 'load', () => SMALL_NOTEBOOK.replace(/\n/g, '\r\n'));

  // Truncated at many offsets: loads only when nothing or all of the JSON is left.
  const truncations = (name: string, text: string, step: number) => {
    const end = text.lastIndexOf('}') + 1;
    for (let offset = 1; offset < text.length; offset += step) {
      const expect = offset >= end ? 'load' : 'refuse';
      addText(`${name}-truncated-at-${offset}`, expect, () => text.slice(0, offset), expect === 'refuse' ? /not valid JSON at line \d+, column \d+/ : undefined);
    }
  };
  truncations('small', SMALL_NOTEBOOK, 7);
  truncations('quickstart', base, 97);

  // Not JSON.
  const notJson = /not valid JSON at line \d+, column \d+/;
  for (const [name, garbage] of [
    ['trailing-garbage', 'x'],
    ['trailing-object', '{}'],
    ['trailing-comma', ','],
    ['trailing-nul', '\0'],
    ['trailing-text', '\nthis is not json'],
  ]) {
    addText(name, 'refuse', () => `${SMALL_NOTEBOOK}${garbage}`, notJson);
  }
  addText('bom-in-the-middle', 'refuse', () => SMALL_NOTEBOOK.replace('"cells"', '\uFEFF"cells"'), notJson);
  addText('nul-first', 'refuse', () => `\0${SMALL_NOTEBOOK}`, notJson);
  addText('nul-in-a-string', 'refuse', () => SMALL_NOTEBOOK.replace('One clip.', 'One\0clip.'), /control character/);
  addText('escaped-nul-in-a-string', 'load', () => SMALL_NOTEBOOK.replace('One clip.', 'One\\u0000clip.'));
  addText('single-quotes', 'refuse', () => SMALL_NOTEBOOK.replace('"title"', "'title'"), notJson);
  addText('comment', 'refuse', () => SMALL_NOTEBOOK.replace('"metadata": {', '// notes\n "metadata": {'), notJson);
  addText('trailing-comma-in-object', 'refuse', () => SMALL_NOTEBOOK.replace('"Small",', '"Small",,'), notJson);
  addText('nan-literal', 'refuse', () => SMALL_NOTEBOOK.replace('"seed": 7', '"seed": NaN'), notJson);
  addText('bad-escape', 'refuse', () => SMALL_NOTEBOOK.replace('One clip.', 'One \\q clip.'), notJson);
  addText('only-a-string', 'refuse', () => '"voice-emotion-notebook"', /not a Voice Emotion notebook/);
  addText('only-null', 'refuse', () => 'null', /not a Voice Emotion notebook/);
  addText('an-array', 'refuse', () => '[]', /not a Voice Emotion notebook/);
  addText('deep-invalid-json', 'refuse', () => '['.repeat(200_000), /nested too deeply/);
  addText('deep-unclosed-metadata', 'refuse', () => `{"format": "voice-emotion-notebook", "version": 1, "metadata": ${'{"a": '.repeat(5000)}`, /nested too deeply/);

  // Bytes that are not UTF-8.
  const notUtf8 = /is not valid UTF-8 at line \d+ \(byte \d+, 0x[0-9a-f]{2}\)/;
  const withBytes = (marker: string, bytes: number[]) => () => {
    const [before, after] = SMALL_NOTEBOOK.split(marker);
    return new Uint8Array([...utf8(before), ...bytes, ...utf8(after)]);
  };
  add('utf8-lone-continuation', 'refuse', withBytes('One clip.', [0x80]), notUtf8);
  add('utf8-ff', 'refuse', withBytes('One clip.', [0xff]), notUtf8);
  add('utf8-overlong-slash', 'refuse', withBytes('One clip.', [0xc0, 0xaf]), notUtf8);
  add('utf8-surrogate', 'refuse', withBytes('One clip.', [0xed, 0xa0, 0x80]), notUtf8);
  add('utf8-past-10ffff', 'refuse', withBytes('One clip.', [0xf4, 0x90, 0x80, 0x80]), notUtf8);
  add('utf8-cut-sequence', 'refuse', withBytes('One clip.', [0xe2, 0x82]), notUtf8);
  add('latin1-e-acute', 'refuse', withBytes('One clip.', [0x63, 0x61, 0x66, 0xe9]), notUtf8);
  add('utf8-cut-at-end', 'refuse', () => new Uint8Array([...utf8(SMALL_NOTEBOOK), 0xf0, 0x9f]), notUtf8);
  add('utf8-valid-four-byte', 'load', withBytes('One clip.', [0xf0, 0x9f, 0x8e, 0xa4]));
  const utf16 = (littleEndian: boolean) => () => {
    const bytes = new Uint8Array(2 + SMALL_NOTEBOOK.length * 2);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, 0xfeff, littleEndian);
    for (let i = 0; i < SMALL_NOTEBOOK.length; i++) view.setUint16(2 + 2 * i, SMALL_NOTEBOOK.charCodeAt(i), littleEndian);
    return bytes;
  };
  add('utf16-le', 'refuse', utf16(true), /is UTF-16 text/);
  add('utf16-be', 'refuse', utf16(false), /is UTF-16 text/);

  // The format and version fields.
  const notOurs = /is not a Voice Emotion notebook/;
  addText('format-missing', 'refuse', changed((n) => delete n.format), notOurs);
  addText('format-jupyter', 'refuse', changed((n) => (n.format = 'jupyter')), notOurs);
  addText('format-number', 'refuse', changed((n) => (n.format = 1)), notOurs);
  addText('format-null', 'refuse', changed((n) => (n.format = null)), notOurs);
  const badVersion = /"version" must be a whole number from 1/;
  for (const [name, version, expect, problem] of [
    ['0', 0, 'refuse', badVersion],
    ['minus-1', -1, 'refuse', badVersion],
    ['1.5', 1.5, 'refuse', badVersion],
    ['string-1', '1', 'refuse', badVersion],
    ['null', null, 'refuse', badVersion],
    ['true', true, 'refuse', badVersion],
    ['object', { major: 1 }, 'refuse', badVersion],
    ['2', 2, 'refuse', /newer Voice Emotion Lab \(version 2\)/],
    ['1e9', 1e9, 'refuse', /newer Voice Emotion Lab \(version 1000000000\)/],
  ] as const) {
    addText(`version-${name}`, expect, changed((n) => (n.version = version as Json)), problem);
  }
  addText('version-missing', 'refuse', changed((n) => delete n.version), badVersion);
  addText('version-1.0', 'load', () => SMALL_NOTEBOOK.replace('"version": 1', '"version": 1.0'));
  addText('version-1e400', 'refuse', () => SMALL_NOTEBOOK.replace('"version": 1', '"version": 1e400'), badVersion);

  // Wrong types at every field.
  const malformed = /is malformed: /;
  const wrong: [string, (notebook: JsonRecord, cells: JsonRecord[]) => void][] = [
    ['cells-object', (n) => (n.cells = {})],
    ['cells-string', (n) => (n.cells = 'cells')],
    ['cells-null', (n) => (n.cells = null)],
    ['cells-missing', (n) => delete n.cells],
    ['cell-string', (_, c) => ((c as Json[])[0] = 'print(1)')],
    ['cell-array', (_, c) => ((c as Json[])[0] = [])],
    ['cell-null', (_, c) => ((c as Json[])[1] = null)],
    ['kind-unknown', (_, c) => (c[0].kind = 'raw')],
    ['kind-number', (_, c) => (c[0].kind = 1)],
    ['kind-missing', (_, c) => delete c[1].kind],
    ['kind-upper-case', (_, c) => (c[1].kind = 'Code')],
    ['language-number', (_, c) => (c[1].language = 5)],
    ['source-number', (_, c) => (c[1].source = 42)],
    ['source-lines-array', (_, c) => (c[1].source = ['a', 'b'])],
    ['source-null', (_, c) => (c[1].source = null)],
    ['source-missing', (_, c) => delete c[0].source],
    ['outputs-object', (_, c) => (c[1].outputs = {})],
    ['outputs-string', (_, c) => (c[1].outputs = 'none')],
    ['outputs-null', (_, c) => (c[1].outputs = null)],
    ['output-string', (_, c) => ((outputsOf(c) as Json[])[0] = 'done')],
    ['output-array', (_, c) => ((outputsOf(c) as Json[])[0] = [])],
    ['output-id-number', (_, c) => (outputsOf(c)[0].id = 7)],
    ['output-metadata-array', (_, c) => (outputsOf(c)[0].metadata = [])],
    ['items-object', (_, c) => (outputsOf(c)[0].items = {})],
    ['items-missing', (_, c) => delete outputsOf(c)[1].items],
    ['item-string', (_, c) => ((itemsOf(c, 0) as Json[])[0] = 'text/plain')],
    ['item-null', (_, c) => ((itemsOf(c, 0) as Json[])[0] = null)],
    ['mime-number', (_, c) => (itemsOf(c, 0)[0].mime = 5)],
    ['mime-null', (_, c) => (itemsOf(c, 0)[0].mime = null)],
    ['mime-array', (_, c) => (itemsOf(c, 0)[0].mime = ['text/plain'])],
    ['mime-empty', (_, c) => (itemsOf(c, 0)[0].mime = ' ')],
    ['mime-missing', (_, c) => delete itemsOf(c, 0)[1].mime],
    ['data-missing', (_, c) => delete itemsOf(c, 0)[1].data],
    ['text-data-number', (_, c) => (itemsOf(c, 0)[1].data = 42)],
    ['text-data-object', (_, c) => (itemsOf(c, 0)[1].data = { text: 'x' })],
    ['binary-data-string', (_, c) => (itemsOf(c, 1)[0].data = 'iVBORw0KGgo=')],
    ['binary-data-not-base64', (_, c) => (itemsOf(c, 1)[0].data = { base64: 'not base64!' })],
    ['binary-data-bad-padding', (_, c) => (itemsOf(c, 1)[0].data = { base64: 'iVBORw0KGgo' })],
    ['binary-data-too-much-padding', (_, c) => (itemsOf(c, 1)[0].data = { base64: 'iVBORw0KG===' })],
    ['binary-data-url-alphabet', (_, c) => (itemsOf(c, 1)[0].data = { base64: 'iVBO_w0K-go=' })],
    ['binary-data-base64-number', (_, c) => (itemsOf(c, 1)[0].data = { base64: 12 })],
    ['binary-data-null', (_, c) => (itemsOf(c, 1)[0].data = null)],
    ['encoding-hex', (_, c) => (itemsOf(c, 1)[1].encoding = 'hex')],
    ['encoding-true', (_, c) => (itemsOf(c, 1)[1].encoding = true)],
    ['encoding-base64-on-text', (_, c) => (itemsOf(c, 0)[1].encoding = 'base64')],
    ['summary-string', (_, c) => (c[1].executionSummary = 'ok')],
    ['summary-array', (_, c) => (c[1].executionSummary = [])],
    ['summary-null', (_, c) => (c[1].executionSummary = null)],
    ['execution-order-string', (_, c) => (summaryOf(c).executionOrder = '3')],
    ['execution-order-null', (_, c) => (summaryOf(c).executionOrder = null)],
    ['success-string', (_, c) => (summaryOf(c).success = 'yes')],
    ['success-number', (_, c) => (summaryOf(c).success = 1)],
    ['timing-string', (_, c) => (summaryOf(c).timing = 'fast')],
    ['timing-null', (_, c) => (summaryOf(c).timing = null)],
    ['start-time-string', (_, c) => ((summaryOf(c).timing as JsonRecord).startTime = '0')],
    ['end-time-missing', (_, c) => delete (summaryOf(c).timing as JsonRecord).endTime],
    ['notebook-metadata-array', (n) => (n.metadata = [])],
    ['notebook-metadata-string', (n) => (n.metadata = 'meta')],
    ['notebook-metadata-null', (n) => (n.metadata = null)],
    ['notebook-metadata-number', (n) => (n.metadata = 0)],
    ['cell-metadata-array', (_, c) => (c[1].metadata = ['tag'])],
    ['cell-metadata-string', (_, c) => (c[0].metadata = 'x')],
    ['cell-metadata-null', (_, c) => (c[1].metadata = null)],
    ['output-metadata-null', (_, c) => (outputsOf(c)[0].metadata = null)],
  ];
  for (const [name, change] of wrong) addText(`wrong-${name}`, 'refuse', changed(change), malformed);

  // Missing optional fields, empty containers and fields this version does not know: all load.
  const fine: [string, (notebook: JsonRecord, cells: JsonRecord[]) => void][] = [
    ['no-metadata', (n) => delete n.metadata],
    ['no-cells', (n) => (n.cells = [])],
    ['no-language', (_, c) => delete c[1].language],
    ['other-language', (_, c) => (c[1].language = 'python')],
    ['markdown-language-typescript', (_, c) => (c[0].language = 'typescript')],
    ['no-outputs', (_, c) => delete c[1].outputs],
    ['empty-outputs', (_, c) => (c[1].outputs = [])],
    ['markdown-with-outputs', (_, c) => (c[0].outputs = [{ items: [{ mime: 'text/plain', data: 'x' }] }])],
    ['empty-items', (_, c) => (outputsOf(c)[0].items = [])],
    ['no-summary', (_, c) => delete c[1].executionSummary],
    ['empty-summary', (_, c) => (c[1].executionSummary = {})],
    ['summary-only-unknown', (_, c) => (c[1].executionSummary = { kernel: 'x' })],
    ['no-timing', (_, c) => delete summaryOf(c).timing],
    ['fractional-times', (_, c) => (summaryOf(c).timing = { startTime: 0.5, endTime: -1.25 })],
    ['empty-source', (_, c) => (c[1].source = '')],
    ['mime-with-parameters', (_, c) => (itemsOf(c, 0)[1].mime = 'Text/Plain; charset=utf-8')],
    ['json-data-scalar', (_, c) => (itemsOf(c, 0)[0] = { mime: 'application/json', data: null })],
    ['json-data-string', (_, c) => (itemsOf(c, 0)[0] = { mime: 'application/json', data: 'text' })],
    ['lone-surrogate-in-source', (_, c) => (c[1].source = 'a\ud800b')],
    ['lone-surrogate-in-text-data', (_, c) => (itemsOf(c, 0)[1].data = '\udc00')],
    ['unicode-metadata', (n) => ((n.metadata as JsonRecord)['título 🎤'] = 'ß∑ \u2028')],
    ['unknown-root', (n) => (n.createdBy = { tool: 'x', list: [1, 'two', null] })],
    ['unknown-cell', (_, c) => (c[0].collapsed = true)],
    ['unknown-output', (_, c) => (outputsOf(c)[0].origin = 'kernel')],
    ['unknown-item', (_, c) => (itemsOf(c, 0)[0].renderHint = 'compact')],
    ['unknown-summary', (_, c) => (summaryOf(c).kernelVersion = '0.1.0')],
    ['unknown-timing', (_, c) => ((summaryOf(c).timing as JsonRecord).clock = 'wall')],
    ['unknown-index-like-keys', (_, c) => Object.assign(c[1], { '10': 'ten', '2': 'two', z: 'zed' })],
    ['reserved-key-in-metadata', (n) => ((n.metadata as JsonRecord)['voiceEmotion.unknown'] = { fields: { x: 1 }, shadowed: 2 })],
    ['reserved-key-in-cell-metadata', (_, c) => ((c[1].metadata as JsonRecord)['voiceEmotion.unknown'] = 'text')],
    ['reserved-key-in-output-metadata', (_, c) => ((outputsOf(c)[0].metadata as JsonRecord)['voiceEmotion.unknown'] = null)],
    ['large-finite-numbers', (n) => ((n.metadata as JsonRecord).numbers = [1e308, -1e308, 5e-324, 0.1, 2 ** 53 + 1])],
  ];
  for (const [name, change] of fine) addText(`fine-${name}`, 'load', changed(change));
  addText('fine-negative-zero', 'load', () => SMALL_NOTEBOOK.replace('"executionOrder": 3', '"executionOrder": -0').replace('"seed": 7', '"seed": [-0, 0, -0.0]'));

  // Duplicate keys: the last one counts, as in JSON.parse.
  addText('duplicate-title', 'load', () => SMALL_NOTEBOOK.replace('"title": "Small",', '"title": "First", "title": "Small",'));
  addText('duplicate-cells', 'load', () => SMALL_NOTEBOOK.replace('"cells": [', '"cells": [], "cells": ['));
  addText('duplicate-kind-last-invalid', 'refuse', () => SMALL_NOTEBOOK.replace('"kind": "code",', '"kind": "code", "kind": "python",'), /"kind" must be "markdown" or "code"/);
  addText('duplicate-format-last-wrong', 'refuse', () => SMALL_NOTEBOOK.replace('"version": 1,', '"version": 1, "format": "other",'), notOurs);

  // Numbers JSON cannot write back.
  const tooLarge = /a number too large to store/;
  addText('huge-number-in-metadata', 'refuse', () => SMALL_NOTEBOOK.replace('"seed": 7', '"seed": 1e400'), tooLarge);
  addText('huge-number-in-json-data', 'refuse', () => SMALL_NOTEBOOK.replace('["rms", 0.041]', '["rms", -1e999]'), tooLarge);
  addText('huge-number-in-unknown-field', 'refuse', () => SMALL_NOTEBOOK.replace('"version": 1,', '"version": 1, "scale": 2e308,'), tooLarge);
  addText('huge-start-time', 'refuse', () => SMALL_NOTEBOOK.replace('"startTime": 1718000000000', '"startTime": 1e400'), /"startTime" must be a number \(found Infinity/);
  addText('huge-execution-order', 'refuse', () => SMALL_NOTEBOOK.replace('"executionOrder": 3', '"executionOrder": -1e400'), /"executionOrder" must be a number/);

  // Deep nesting: up to MAX_NESTING (64) levels load; deeper is refused, however deep.
  const tooDeep = /nested more than 64 levels deep/;
  const deepMetadata = (name: string, levels: number, text: (levels: number) => string) => {
    const expect = levels <= 64 ? 'load' : 'refuse';
    addText(name, expect, () => SMALL_NOTEBOOK.replace('"kernel": {"seed": 7}', `"kernel": ${text(levels - 1)}`), expect === 'refuse' ? tooDeep : undefined);
  };
  for (const levels of [10, 63, 64, 65, 100, 3000, 5000, 100_000]) deepMetadata(`metadata-${levels}-levels`, levels, deepObjectText);
  for (const levels of [64, 65, 5000]) deepMetadata(`metadata-arrays-${levels}-levels`, levels, deepArrayText);
  addText('deep-whole-metadata', 'refuse', () => SMALL_NOTEBOOK.replace(/"metadata": \{\n {2}"title"[^]*?\n \},/, `"metadata": ${deepObjectText(3000)},`), tooDeep);
  addText('deep-cell-metadata', 'refuse', changed((_, c) => (c[1].metadata = '{{DEEP}}'), { '{{DEEP}}': deepObjectText(65) }), tooDeep);
  addText('deep-output-metadata', 'refuse', changed((_, c) => (outputsOf(c)[0].metadata = '{{DEEP}}'), { '{{DEEP}}': deepObjectText(3000) }), tooDeep);
  addText('deep-json-data-64', 'load', changed((_, c) => (itemsOf(c, 0)[0].data = '{{DEEP}}'), { '{{DEEP}}': deepArrayText(64) }));
  addText('deep-json-data-65', 'refuse', changed((_, c) => (itemsOf(c, 0)[0].data = '{{DEEP}}'), { '{{DEEP}}': deepArrayText(65) }), tooDeep);
  addText('deep-unknown-cell-field', 'refuse', changed((_, c) => (c[1].nested = '{{DEEP}}'), { '{{DEEP}}': deepObjectText(5000) }), tooDeep);
  addText('deep-unknown-timing-field', 'refuse', changed((_, c) => ((summaryOf(c).timing as JsonRecord).x = '{{DEEP}}'), { '{{DEEP}}': deepArrayText(70) }), tooDeep);
  addText('deep-cells', 'refuse', () => SMALL_NOTEBOOK.replace('"cells": [', `"cells": [${deepArrayText(5000)},`), malformed);

  // Keys that name prototypes: kept as plain fields, never changing any prototype.
  /** Puts the prototype-naming keys first in the object whose first key is `firstKey`. */
  const polluting = (name: string, firstKey: string) =>
    addText(`proto-${name}`, 'load', () =>
      SMALL_NOTEBOOK.replace(firstKey, `"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "prototype": {"polluted": 1}, "toString": 3, "hasOwnProperty": null, ${firstKey}`),
    );
  polluting('notebook-metadata', '"title"');
  polluting('cell-metadata', '"tags"');
  polluting('output-metadata', '"display"');
  polluting('notebook-field', '"format"');
  polluting('cell-field', '"kind": "code"');
  polluting('item-field', '"mime": "text/plain"');
  polluting('summary-field', '"executionOrder"');
  polluting('timing-field', '"startTime"');
  polluting('json-data', '"columns"');
  addText('proto-array-value', 'load', () => SMALL_NOTEBOOK.replace('"title": "Small",', '"title": "Small", "__proto__": [1, 2],'));
  addText('proto-as-reserved-key', 'load', () => SMALL_NOTEBOOK.replace('"title": "Small",', '"title": "Small", "voiceEmotion.unknown": {"__proto__": {"polluted": true}},'));

  // Large files: they load (the format has no size limit) and save.
  const codeCell = (outputs: string) => `{"kind": "code", "language": "typescript", "source": "x", "outputs": [${outputs}]}`;
  const notebookWith = (cells: string) => `{"format": "voice-emotion-notebook", "version": 1, "metadata": {}, "cells": [${cells}]}`;
  addText('binary-output-20mb', 'load', () => {
    const bytes = new Uint8Array(20 * 2 ** 20).map((_, i) => (i * 31) & 0xff);
    return notebookWith(codeCell(`{"items": [{"mime": "audio/wav", "data": {"base64": "${Buffer.from(bytes).toString('base64')}"}}]}`));
  });
  addText('text-output-20mb', 'load', () => notebookWith(codeCell(`{"items": [{"mime": "text/plain", "data": "${'spectrogram '.repeat(20 * 2 ** 20 / 12)}"}]}`)));
  addText('json-output-300k-numbers', 'load', () => notebookWith(codeCell(`{"items": [{"mime": "application/json", "data": [${Array.from({ length: 300_000 }, (_, i) => (i % 997) / 7).join(',')}]}]}`)));
  addText('outputs-10000', 'load', () => notebookWith(codeCell(Array.from({ length: 10_000 }, (_, i) => `{"items": [{"mime": "text/plain", "data": "line ${i}"}]}`).join(','))));
  addText('cells-10000', 'load', () => notebookWith(Array.from({ length: 10_000 }, (_, i) => (i % 2 ? codeCell('') : `{"kind": "markdown", "source": "# ${i}"}`)).join(',')));
  addText('source-5m-characters', 'load', () => notebookWith(`{"kind": "code", "source": "${'a'.repeat(5_000_000)}"}`));
  addText('key-1m-characters', 'load', () => notebookWith('').replace('"metadata": {}', `"metadata": {"${'k'.repeat(1_000_000)}": 1}`));
  addText('metadata-100000-keys', 'load', () => notebookWith('').replace('"metadata": {}', `"metadata": {${Array.from({ length: 100_000 }, (_, i) => `"k${i}": ${i}`).join(',')}}`));
  addText('items-10000-in-one-output', 'load', () => notebookWith(codeCell(`{"items": [${Array.from({ length: 10_000 }, (_, i) => `{"mime": "text/x-${i}", "data": ""}`).join(',')}]}`)));
  addText('whitespace-10mb', 'load', () => `${' '.repeat(5_000_000)}${SMALL_NOTEBOOK}${'\n'.repeat(5_000_000)}`);

  // Random damage to the small notebook: single bytes changed, removed or inserted; either outcome is fine.
  const random = new Random(20240611);
  const smallBytes = utf8(SMALL_NOTEBOOK);
  const pick = (n: number) => Math.floor(random.next() * n);
  const interesting = [0x00, 0x22, 0x2c, 0x3a, 0x5b, 0x5d, 0x7b, 0x7d, 0x5c, 0x30, 0x2d, 0x65, 0x80, 0xc3, 0xff, 0x0a];
  for (let k = 0; k < 150; k++) {
    const at = pick(smallBytes.length);
    const byte = random.next() < 0.5 ? interesting[pick(interesting.length)] : pick(256);
    const mode = k % 3;
    const mutated =
      mode === 0
        ? smallBytes.map((b, i) => (i === at ? byte : b))
        : mode === 1
          ? new Uint8Array([...smallBytes.subarray(0, at), ...smallBytes.subarray(at + 1)])
          : new Uint8Array([...smallBytes.subarray(0, at), byte, ...smallBytes.subarray(at)]);
    add(`random-${['change', 'remove', 'insert'][mode]}-${at}-${byte.toString(16)}`, 'either', () => mutated);
  }
  return variants;
}
