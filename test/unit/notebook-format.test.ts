import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MIME } from '../../src/shared/mime';
import {
  base64ToBytes,
  bytesToBase64,
  bytesToModel,
  decodeItemData,
  encodeItemData,
  MAX_NESTING,
  mimeStorage,
  modelToBytes,
  modelToNotebook,
  NOTEBOOK_FORMAT,
  NOTEBOOK_TYPE,
  NotebookFormatError,
  notebookToModel,
  parseNotebook,
  serializeNotebook,
  UNKNOWN_FIELDS_KEY,
  type NotebookModel,
} from '../../src/shared/notebookFormat';

const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** The first bytes of a PNG file, and a few that are not UTF-8. */
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0x00, 0x80]);
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUv8AgA==';

/** A realistic notebook in canonical form, with unknown fields at every level. */
const CANONICAL = `{
 "format": "voice-emotion-notebook",
 "version": 1,
 "metadata": {
  "title": "RAVDESS study",
  "voiceEmotion.unknown": "the file's own value under the reserved key",
  "kernel": {
   "seed": 7
  }
 },
 "cells": [
  {
   "kind": "markdown",
   "language": "markdown",
   "source": "# Features\\n\\nLog-mel and MFCCs of one clip.",
   "metadata": {
    "tags": ["intro", "docs"]
   },
   "collapsed": true
  },
  {
   "kind": "code",
   "language": "typescript",
   "source": "const clip = await load('03-01-05-01-01-01-01.wav');\\ntable(stats(clip));",
   "outputs": [
    {
     "id": "out-1",
     "items": [
      {
       "mime": "application/vnd.voice-emotion.table+json",
       "data": {
        "caption": "Clip statistics",
        "columns": ["name", "value"],
        "rows": [
         ["duration (s)", 3.2],
         ["rms", 0.041],
         ["silent", null]
        ]
       },
       "renderHint": "compact"
      },
      {
       "mime": "text/plain",
       "data": "duration 3.2 s, rms 0.041\\n"
      }
     ],
     "metadata": {
      "display": "stats"
     },
     "origin": "kernel"
    },
    {
     "items": [
      {
       "mime": "image/png",
       "data": {
        "base64": "${PNG_BASE64}"
       }
      }
     ]
    },
    {
     "items": [
      {
       "mime": "application/vnd.voice-emotion.features+json",
       "data": {
        "kind": "mfcc",
        "sampleRate": 16000,
        "hopLength": 160,
        "shape": [2, 3],
        "data": [
         [-1.5, 0.25, 3],
         [0, 0.125, -7]
        ]
       }
      }
     ]
    }
   ],
   "executionSummary": {
    "executionOrder": 3,
    "success": true,
    "timing": {
     "startTime": 1718000000000,
     "endTime": 1718000000420,
     "clock": "wall"
    },
    "kernelVersion": "0.1.0"
   },
   "metadata": {
    "tags": []
   },
   "cellId": "c2",
   "__proto__": {
    "odd": "key"
   }
  },
  {
   "kind": "code",
   "language": "javascript",
   "source": "",
   "outputs": []
  }
 ],
 "createdBy": "Voice Emotion Lab 0.1.0",
 "extras": {
  "a": [1, "two", false, null]
 }
}
`;

/**
 * The same notebook, compact, with the format's own keys reversed and after the unknown ones at every level
 * (metadata, item data and unknown values keep their order: that order is content).
 */
function shuffled(): string {
  const KNOWN = ['format', 'version', 'metadata', 'cells', 'kind', 'language', 'source', 'outputs', 'executionSummary', 'id', 'items', 'mime', 'encoding', 'data', 'executionOrder', 'success', 'timing', 'startTime', 'endTime'];
  const STRUCTURE = new Set(['cells', 'outputs', 'items', 'executionSummary', 'timing']);
  const reorder = (value: Record<string, unknown>): Record<string, unknown> => {
    const keys = Object.keys(value);
    const result: Record<string, unknown> = {};
    for (const key of [...keys.filter((k) => !KNOWN.includes(k)), ...keys.filter((k) => KNOWN.includes(k)).reverse()]) {
      let member = value[key];
      if (STRUCTURE.has(key)) member = Array.isArray(member) ? member.map((element) => reorder(element as Record<string, unknown>)) : reorder(member as Record<string, unknown>);
      Object.defineProperty(result, key, { value: member, enumerable: true, writable: true, configurable: true });
    }
    return result;
  };
  return JSON.stringify(reorder(JSON.parse(CANONICAL) as Record<string, unknown>));
}

function errorMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof NotebookFormatError, `expected a NotebookFormatError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected an error');
}

describe('notebook format: round trips', () => {
  it('gives a canonical file back byte for byte', () => {
    assert.equal(serializeNotebook(parseNotebook(CANONICAL)), CANONICAL);
  });

  it('gives a canonical file back byte for byte through the model VS Code holds', () => {
    assert.equal(text(modelToBytes(bytesToModel(utf8(CANONICAL)))), CANONICAL);
  });

  it('normalises key order and layout without losing a field', () => {
    const messy = shuffled();
    assert.ok(messy.startsWith('{"createdBy":'), messy.slice(0, 40));
    assert.deepEqual(parseNotebook(messy), parseNotebook(CANONICAL));
    assert.equal(serializeNotebook(parseNotebook(messy)), CANONICAL);
    assert.equal(text(modelToBytes(bytesToModel(utf8(messy)))), CANONICAL);
  });

  it('is stable: serializing twice, or reparsing, gives the same text', () => {
    const raw = parseNotebook(shuffled());
    const once = serializeNotebook(raw);
    assert.equal(serializeNotebook(raw), once);
    assert.equal(serializeNotebook(parseNotebook(once)), once);
    const model = notebookToModel(raw);
    assert.deepEqual(modelToBytes(model), modelToBytes(model));
  });

  it('keeps unknown fields at every level, and the key __proto__ as a field', () => {
    const raw = parseNotebook(CANONICAL);
    assert.deepEqual(raw.extra, { createdBy: 'Voice Emotion Lab 0.1.0', extras: { a: [1, 'two', false, null] } });
    assert.deepEqual(raw.cells[0].extra, { collapsed: true });
    const code = raw.cells[1];
    assert.deepEqual(Object.keys(code.extra!), ['cellId', '__proto__']);
    assert.equal(Object.getPrototypeOf(code.extra), Object.prototype);
    assert.deepEqual(code.outputs![0].extra, { origin: 'kernel' });
    assert.deepEqual(code.outputs![0].items[0].extra, { renderHint: 'compact' });
    assert.deepEqual(code.executionSummary!.extra, { kernelVersion: '0.1.0' });
    assert.deepEqual(code.executionSummary!.timing!.extra, { clock: 'wall' });
  });

  it('writes the canonical layout: one-space indent, scalar arrays on one line, a trailing newline', () => {
    const out = serializeNotebook({ format: NOTEBOOK_FORMAT, version: 1, metadata: {}, cells: [] });
    assert.equal(out, '{\n "format": "voice-emotion-notebook",\n "version": 1,\n "metadata": {},\n "cells": []\n}\n');
    assert.match(CANONICAL, /\n {9}\[-1\.5, 0\.25, 3\],\n/);
  });
});

describe('notebook format: the model VS Code opens', () => {
  const model = bytesToModel(utf8(CANONICAL));

  it('maps kinds, languages, sources and execution summaries', () => {
    assert.equal(NOTEBOOK_TYPE, 'voice-emotion-notebook');
    assert.deepEqual(
      model.cells.map((cell) => [cell.kind, cell.languageId]),
      [
        ['markdown', 'markdown'],
        ['code', 'typescript'],
        ['code', 'javascript'],
      ],
    );
    assert.equal(model.cells[1].value, "const clip = await load('03-01-05-01-01-01-01.wav');\ntable(stats(clip));");
    assert.deepEqual(model.cells[1].executionSummary, { executionOrder: 3, success: true, timing: { startTime: 1718000000000, endTime: 1718000000420 } });
    assert.equal(model.cells[0].executionSummary, undefined);
  });

  it('decodes output items to the bytes a kernel would have produced', () => {
    const [stats, image, features] = model.cells[1].outputs!;
    assert.equal(stats.items[0].mime, MIME.table);
    assert.deepEqual(JSON.parse(text(stats.items[0].data)), {
      caption: 'Clip statistics',
      columns: ['name', 'value'],
      rows: [
        ['duration (s)', 3.2],
        ['rms', 0.041],
        ['silent', null],
      ],
    });
    assert.equal(text(stats.items[1].data), 'duration 3.2 s, rms 0.041\n');
    assert.deepEqual(image.items[0].data, PNG);
    assert.equal(JSON.parse(text(features.items[0].data)).shape[1], 3);
  });

  it('keeps unknown fields and output ids in metadata under the reserved key, and the file metadata as is', () => {
    assert.equal(model.metadata!.title, 'RAVDESS study');
    assert.deepEqual(model.metadata![UNKNOWN_FIELDS_KEY], {
      fields: { createdBy: 'Voice Emotion Lab 0.1.0', extras: { a: [1, 'two', false, null] } },
      shadowed: "the file's own value under the reserved key",
    });
    assert.deepEqual(model.cells[1].outputs![0].metadata, {
      display: 'stats',
      [UNKNOWN_FIELDS_KEY]: { id: 'out-1', fields: { origin: 'kernel' }, items: [{ renderHint: 'compact' }, null] },
    });
    assert.deepEqual(model.cells[1].outputs![1].metadata, {});
    assert.deepEqual(model.cells[2].metadata, {});
  });

  it('writes what a kernel produced: no empty execution summary or metadata, outputs for code cells only', () => {
    const fromEditor: NotebookModel = {
      metadata: undefined,
      cells: [
        { kind: 'markdown', value: '# New', languageId: 'markdown', executionSummary: { executionOrder: undefined, success: undefined, timing: undefined } },
        {
          kind: 'code',
          value: 'spectrogram(clip)',
          languageId: 'typescript',
          outputs: [
            { items: [{ mime: 'application/vnd.code.notebook.stdout', data: utf8('loaded\n') }] },
            { items: [{ mime: MIME.metrics, data: utf8('{\n\t"title": "test",\n\t"metrics": {}\n}') }], metadata: { live: undefined } },
            { items: [{ mime: 'application/vnd.code.notebook.error', data: utf8('{"name":"Error","message":"boom"}') }] },
          ],
          executionSummary: { executionOrder: 1, success: false },
          metadata: { skipped: undefined },
        },
      ],
    };
    const written = text(modelToBytes(fromEditor));
    assert.equal(
      written,
      `{
 "format": "voice-emotion-notebook",
 "version": 1,
 "metadata": {},
 "cells": [
  {
   "kind": "markdown",
   "language": "markdown",
   "source": "# New"
  },
  {
   "kind": "code",
   "language": "typescript",
   "source": "spectrogram(clip)",
   "outputs": [
    {
     "items": [
      {
       "mime": "application/vnd.code.notebook.stdout",
       "data": "loaded\\n"
      }
     ]
    },
    {
     "items": [
      {
       "mime": "application/vnd.voice-emotion.metrics+json",
       "data": {
        "title": "test",
        "metrics": {}
       }
      }
     ]
    },
    {
     "items": [
      {
       "mime": "application/vnd.code.notebook.error",
       "data": {
        "name": "Error",
        "message": "boom"
       }
      }
     ]
    }
   ],
   "executionSummary": {
    "executionOrder": 1,
    "success": false
   }
  }
 ]
}
`,
    );
    assert.equal(text(modelToBytes(bytesToModel(utf8(written)))), written);
  });

  it('keeps unknown execution-summary fields when the summary has no known field', () => {
    const file = CANONICAL.replace(/"executionSummary": \{[^]*?"kernelVersion": "0\.1\.0"\n {3}\}/, '"executionSummary": {\n    "kernelVersion": "0.1.0"\n   }');
    assert.notEqual(file, CANONICAL);
    assert.equal(bytesToModel(utf8(file)).cells[1].executionSummary, undefined);
    assert.equal(text(modelToBytes(bytesToModel(utf8(file)))), file);
  });

  it('ignores a damaged reserved key rather than failing to save', () => {
    const damaged = modelToNotebook({ metadata: { [UNKNOWN_FIELDS_KEY]: 'not an object', a: 1 }, cells: [] });
    assert.deepEqual(damaged.metadata, { a: 1 });
    assert.equal(damaged.extra, undefined);
  });
});

describe('notebook format: empty and broken files', () => {
  it('opens an empty or blank file as an empty notebook', () => {
    for (const empty of ['', '\n', '\uFEFF']) {
      const raw = parseNotebook(empty);
      assert.deepEqual(raw.cells, []);
      assert.equal(raw.version, 1);
    }
    assert.deepEqual(bytesToModel(new Uint8Array(0)).cells, []);
  });

  it('reads a file with a byte order mark', () => {
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(CANONICAL)]);
    assert.equal(text(modelToBytes(bytesToModel(withBom))), CANONICAL);
  });

  it('names the line and column of invalid JSON', () => {
    const broken = CANONICAL.replace('"version": 1,', '"version": 1,,');
    assert.match(errorMessage(() => parseNotebook(broken, 'study.emonb')), /^study\.emonb is not valid JSON at line 3, column 15: /);
    assert.match(errorMessage(() => parseNotebook('{\n "format": "voice-emotion-notebook",\n "cells": [\n')), /^The notebook file is not valid JSON at line 4, column 1: unexpected end of file/);
    assert.match(errorMessage(() => parseNotebook('{"a": 1}\nx')), /not valid JSON at line 2, column 1: unexpected "x", expected the end of the file/);
    assert.match(errorMessage(() => parseNotebook('{"a": "tab\there"}')), /line 1, column 11: control character/);
    assert.match(errorMessage(() => parseNotebook('{"a": "\\u12G4"}')), /line 1, column 12: unexpected "G", expected four hex digits/);
    assert.match(errorMessage(() => parseNotebook("{'a': 1}")), /line 1, column 2: unexpected "'", expected a property name/);
  });

  it('refuses a JSON file of another format', () => {
    assert.match(errorMessage(() => parseNotebook('{"nbformat": 4, "cells": []}', 'a.emonb')), /^a\.emonb is not a Voice Emotion notebook: it has no "format" field/);
    assert.match(errorMessage(() => parseNotebook('{"format": "jupyter"}')), /is not a Voice Emotion notebook: "format" is "jupyter"/);
    assert.match(errorMessage(() => parseNotebook('[1, 2]')), /is not a Voice Emotion notebook: it holds an array/);
  });

  it('refuses a file from a newer version, naming both versions', () => {
    const newer = CANONICAL.replace('"version": 1', '"version": 2').replace('"kind": "markdown"', '"kind": "raw"');
    assert.equal(
      errorMessage(() => parseNotebook(newer, 'study.emonb')),
      'study.emonb was written by a newer Voice Emotion Lab (version 2); this version reads version 1. Update the extension to open it.',
    );
    assert.match(errorMessage(() => bytesToModel(utf8(newer))), /was written by a newer Voice Emotion Lab \(version 2\); this version reads version 1/);
  });

  it('names the problem in a malformed file', () => {
    const file = (change: (notebook: Record<string, unknown>) => void) => {
      const notebook = JSON.parse(CANONICAL) as Record<string, unknown>;
      change(notebook);
      return JSON.stringify(notebook);
    };
    const cells = (notebook: Record<string, unknown>) => notebook.cells as Record<string, unknown>[];
    const outputs = (notebook: Record<string, unknown>) => cells(notebook)[1].outputs as Record<string, unknown>[];
    const items = (notebook: Record<string, unknown>, k: number) => outputs(notebook)[k].items as Record<string, unknown>[];
    const cases: [(notebook: Record<string, unknown>) => void, RegExp][] = [
      [(n) => (n.version = 0), /"version" must be a whole number from 1 \(found 0\)/],
      [(n) => (n.version = '1'), /"version" must be a whole number from 1 \(found "1"\)/],
      [(n) => delete n.cells, /is malformed: "cells" must be an array \(found nothing\)/],
      [(n) => (n.metadata = []), /is malformed: "metadata" must be an object \(found an array\)/],
      [(n) => (cells(n)[0].kind = 'raw'), /is malformed: cell 1: "kind" must be "markdown" or "code" \(found "raw"\)/],
      [(n) => (cells(n)[2] = 'print(1)' as never), /cell 3: a cell must be an object \(found "print\(1\)"\)/],
      [(n) => (cells(n)[1].source = ['a', 'b']), /cell 2: "source" must be a string \(found an array\)/],
      [(n) => (cells(n)[1].outputs = {}), /cell 2: "outputs" must be an array/],
      [(n) => delete items(n, 0)[0].mime, /cell 2, output 1, item 1: "mime" must be a string/],
      [(n) => (items(n, 0)[1].data = 42), /cell 2, output 1, item 2: "data" must be a string for text\/plain \(found 42\)/],
      [(n) => (items(n, 1)[0].data = 'iVBORw0K'), /cell 2, output 2, item 1: "data" must be \{"base64": "…"\} with valid base64 for image\/png/],
      [(n) => (items(n, 1)[0].data = { base64: 'not base64!' }), /valid base64 for image\/png \(found "not base64!"\)/],
      [(n) => (items(n, 0)[0].encoding = 'hex'), /"encoding" must be "base64" \(found "hex"\)/],
      [(n) => delete items(n, 0)[0].data, /the output item has no "data"/],
      [(n) => (outputs(n)[0].id = 7), /cell 2, output 1: "id" must be a string \(found 7\)/],
      [(n) => ((cells(n)[1].executionSummary as Record<string, unknown>).success = 'yes'), /cell 2, executionSummary: "success" must be true or false/],
      [(n) => delete ((cells(n)[1].executionSummary as Record<string, unknown>).timing as Record<string, unknown>).endTime, /executionSummary, timing: "endTime" must be a number \(found nothing\)/],
    ];
    for (const [change, expected] of cases) assert.match(errorMessage(() => parseNotebook(file(change), 'study.emonb')), expected);
  });
});

describe('notebook format: output item data', () => {
  it('classifies MIME types', () => {
    for (const mime of Object.values(MIME)) assert.equal(mimeStorage(mime), 'json');
    assert.equal(mimeStorage('application/json; charset=utf-8'), 'json');
    assert.equal(mimeStorage('Text/Plain'), 'text');
    assert.equal(mimeStorage('image/svg+xml'), 'text');
    assert.equal(mimeStorage('application/vnd.code.notebook.stderr'), 'text');
    assert.equal(mimeStorage('image/png'), 'binary');
    assert.equal(mimeStorage('application/octet-stream'), 'binary');
  });

  it('stores JSON as its value, text as a string, and binary as base64', () => {
    assert.deepEqual(encodeItemData(MIME.table, utf8('{"columns": ["a"], "rows": [[1]]}')), { data: { columns: ['a'], rows: [[1]] } });
    assert.deepEqual(encodeItemData('text/plain', utf8('héllo\n')), { data: 'héllo\n' });
    assert.deepEqual(encodeItemData('image/png', PNG), { data: { base64: PNG_BASE64 } });
    assert.deepEqual(decodeItemData('image/png', { base64: PNG_BASE64 }), PNG);
    assert.equal(text(decodeItemData(MIME.table, { columns: ['a'], rows: [[1]] })), '{"columns":["a"],"rows":[[1]]}');
  });

  it('falls back to base64 with an encoding marker when bytes do not fit the type', () => {
    const notJson = utf8('{"unfinished": ');
    const encoded = encodeItemData('application/json', notJson);
    assert.equal(encoded.encoding, 'base64');
    assert.deepEqual(decodeItemData('application/json', encoded.data, encoded.encoding), notJson);
    const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9]);
    const text1 = encodeItemData('text/plain', latin1);
    assert.equal(text1.encoding, 'base64');
    assert.deepEqual(decodeItemData('text/plain', text1.data, text1.encoding), latin1);
  });

  it('keeps the exact bytes of text, including a byte order mark', () => {
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69]);
    const encoded = encodeItemData('text/csv', withBom);
    assert.equal(encoded.encoding, undefined);
    assert.deepEqual(decodeItemData('text/csv', encoded.data), withBom);
  });

  it('keeps a JSON value that looks like binary data as a JSON value', () => {
    const bytes = utf8(JSON.stringify({ base64: 'AAAA' }));
    const encoded = encodeItemData('application/json', bytes);
    assert.deepEqual(encoded, { data: { base64: 'AAAA' } });
    assert.deepEqual(decodeItemData('application/json', encoded.data), bytes);
  });

  it('round-trips every byte value and large data through base64', () => {
    const all = new Uint8Array(256 * 300).map((_, k) => (k * 7) % 256);
    assert.deepEqual(base64ToBytes(bytesToBase64(all)), all);
    assert.equal(bytesToBase64(all), Buffer.from(all).toString('base64'));
    assert.equal(base64ToBytes('abc'), undefined);
    assert.deepEqual(base64ToBytes(''), new Uint8Array(0));
  });

  it('survives a load and save of binary and JSON-fallback items inside a notebook', () => {
    const notJson = utf8('NaN');
    const model: NotebookModel = {
      cells: [{ kind: 'code', value: '', languageId: 'typescript', outputs: [{ items: [{ mime: 'application/json', data: notJson }, { mime: 'image/png', data: PNG }] }] }],
    };
    const written = modelToBytes(model);
    assert.match(text(written), /"mime": "application\/json",\n {7}"encoding": "base64",\n {7}"data": \{\n {8}"base64": "TmFO"/);
    const reopened = bytesToModel(written);
    assert.deepEqual(reopened.cells[0].outputs![0].items[0].data, notJson);
    assert.deepEqual(reopened.cells[0].outputs![0].items[1].data, PNG);
    assert.deepEqual(modelToBytes(reopened), written);
  });
});

describe('notebook format: limits that keep every loaded notebook savable', () => {
  /** `{"a": {"a": … {} …}}`, `levels` objects deep, as text (JSON.stringify overflows on deep values). */
  const deep = (levels: number) => `${'{"a": '.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
  const withMetadata = (metadata: string) => `{"format": "voice-emotion-notebook", "version": 1, "metadata": ${metadata}, "cells": []}`;

  it(`loads and saves metadata ${MAX_NESTING} levels deep, and refuses deeper metadata however deep, naming where`, () => {
    assert.equal(MAX_NESTING, 64);
    const model = bytesToModel(utf8(withMetadata(deep(64))), 'deep.emonb');
    assert.deepEqual(bytesToModel(modelToBytes(model)), model);
    for (const levels of [65, 3000, 1_000_000]) {
      assert.equal(
        errorMessage(() => bytesToModel(utf8(withMetadata(deep(levels))), 'deep.emonb')),
        'deep.emonb is malformed: "metadata" is nested more than 64 levels deep (a notebook keeps at most 64 levels of objects and arrays).',
      );
    }
    const cell = `{"kind": "code", "source": "", "outputs": [{"items": [{"mime": "application/json", "data": ${deep(65)}}]}]}`;
    assert.match(errorMessage(() => parseNotebook(withMetadata('{}').replace('[]', `[${cell}]`), 'a.emonb')), /^a\.emonb is malformed: cell 1, output 1, item 1: "data" is nested more than 64/);
    assert.match(errorMessage(() => parseNotebook(`{"cells": ${'['.repeat(100_000)}`, 'b.emonb')), /^b\.emonb is not valid JSON at line 1, column \d+: objects and arrays are nested too deeply/);
  });

  it('refuses to save metadata it could not load again, and keeps a too-deep JSON output as its bytes', () => {
    const nested = JSON.parse(deep(65)) as Record<string, unknown>;
    assert.match(errorMessage(() => modelToBytes({ metadata: nested, cells: [] })), /^The notebook cannot be saved: "metadata" is nested more than 64 levels deep/);
    let veryDeep: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) veryDeep = { a: veryDeep };
    const cell = { kind: 'code' as const, value: '', languageId: 'typescript', metadata: veryDeep };
    assert.match(errorMessage(() => modelToBytes({ cells: [cell] })), /^The notebook cannot be saved: cell 1: "metadata" is nested too deeply/);
    const bytes = utf8(deep(100));
    assert.deepEqual(encodeItemData('application/json', bytes), { data: { base64: bytesToBase64(bytes) }, encoding: 'base64' });
    const model: NotebookModel = { cells: [{ kind: 'code', value: '', languageId: 'typescript', outputs: [{ items: [{ mime: 'application/json', data: bytes }] }] }] };
    assert.deepEqual(bytesToModel(modelToBytes(model)).cells[0].outputs![0].items[0].data, bytes);
  });

  it('refuses numbers beyond the range of a double, which JSON would write back as null; writes -0 as 0', () => {
    assert.match(errorMessage(() => parseNotebook(withMetadata('{"scale": [1, 1e400]}'), 'n.emonb')), /^n\.emonb is malformed: "metadata" holds a number too large to store/);
    const timing = CANONICAL.replace('"startTime": 1718000000000', '"startTime": -1e999');
    assert.match(errorMessage(() => parseNotebook(timing)), /"startTime" must be a number \(found -Infinity, a number too large to store\)/);
    const raw = parseNotebook(withMetadata('{"zero": -0, "list": [-0.0]}'));
    assert.ok(Object.is(raw.metadata!.zero, 0) && Object.is((raw.metadata!.list as number[])[0], 0));
  });

  it('refuses bytes that are not UTF-8, naming the line and byte, rather than replacing them on the next save', () => {
    const broken = new Uint8Array([...utf8('{\n "format": "voice-emotion-notebook",\n "metadata": {"t": "caf'), 0xe9, ...utf8('"}}')]);
    assert.equal(
      errorMessage(() => bytesToModel(broken, 'latin1.emonb')),
      'latin1.emonb is not valid UTF-8 at line 3 (byte 62, 0xe9); a notebook file must be UTF-8. Save it as UTF-8 to open it.',
    );
    assert.match(errorMessage(() => bytesToModel(new Uint8Array([0xff, 0xfe, 0x7b, 0x00]))), /^The notebook file is UTF-16 text/);
  });

  it('loads and saves a 20 MB binary output item', () => {
    const data = new Uint8Array(20 * 2 ** 20).map((_, i) => (i * 7) & 0xff);
    const model: NotebookModel = { cells: [{ kind: 'code', value: '', languageId: 'typescript', outputs: [{ items: [{ mime: 'audio/wav', data }] }] }] };
    const reopened = bytesToModel(modelToBytes(model));
    assert.deepEqual(reopened.cells[0].outputs![0].items[0].data, data);
  });
});
