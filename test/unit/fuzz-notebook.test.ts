/**
 * Fuzzing the `.emonb` reader and writer with malformed and unusual notebook files: each file loads or is refused
 * with a NotebookFormatError naming it; whatever loads saves and loads again to an equal model; no file changes a
 * prototype; none takes long.
 */
import assert from 'node:assert/strict';
import { constants } from 'node:buffer';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { bytesToModel, modelToBytes, NotebookFormatError, parseNotebook, serializeNotebook, type NotebookModel } from '../../src/shared/notebookFormat';
import { notebookCorpus, type NotebookVariant } from '../fuzz/notebookCorpus';
import { ROOT } from '../helpers';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The error `run` throws, or undefined when it returns. */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Why `error` is not a clear refusal of `fileName` (a NotebookFormatError that names it), or undefined. */
function refusalProblem(error: unknown, fileName: string, variant: NotebookVariant): string | undefined {
  if (!(error instanceof NotebookFormatError)) return `threw ${String(error)}`;
  if (!error.message.includes(fileName)) return `message does not name the file: ${error.message}`;
  if (variant.problem && !variant.problem.test(error.message)) return `message does not match ${variant.problem}: ${error.message}`;
  return undefined;
}

/** Why some object in `model` has a prototype other than Object.prototype (a sign of prototype pollution), or undefined. */
function prototypeProblem(model: NotebookModel): string | undefined {
  const pending: unknown[] = [model];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null || value instanceof Uint8Array) continue;
    if (!Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) return `an object with prototype ${String(Object.getPrototypeOf(value))}`;
    pending.push(...Object.values(value));
  }
  return undefined;
}

/** Every own key of the built-in prototypes that a polluting file could change. */
function prototypeKeys(): string[] {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].flatMap((proto) => Reflect.ownKeys(proto).map(String)).sort();
}

describe('fuzzing .emonb notebooks', { timeout: 600_000 }, () => {
  const corpus = notebookCorpus(fs.readFileSync(path.join(ROOT, 'notebooks', 'quickstart.emonb'), 'utf8'));
  const failures: Record<'outcome' | 'expectation' | 'roundTrip' | 'prototype', string[]> = { outcome: [], expectation: [], roundTrip: [], prototype: [] };
  const counts = { loaded: 0, refused: 0 };
  let keysBefore: string[];

  before(() => {
    keysBefore = prototypeKeys();
    for (const variant of corpus) {
      const fileName = `${variant.name}.emonb`;
      const fail = (kind: keyof typeof failures, problem: string) => failures[kind].push(`${fileName}: ${problem}`);
      const bytes = variant.bytes();
      let model: NotebookModel | undefined;
      const error = thrown(() => (model = bytesToModel(bytes, fileName)));
      let text: string | undefined;
      try {
        text = strictUtf8.decode(bytes);
      } catch {
        // Not UTF-8: only the bytes path applies.
      }
      if (error) {
        counts.refused++;
        const problem = refusalProblem(error, fileName, variant);
        if (problem) fail('outcome', problem);
        if (variant.expect === 'load') fail('expectation', `must load, but: ${String(error)}`);
        const textError = text === undefined ? undefined : thrown(() => parseNotebook(text!, fileName));
        if (text !== undefined && !textError) fail('outcome', 'parseNotebook loads the text that bytesToModel refuses');
      } else {
        counts.loaded++;
        if (variant.expect === 'refuse') fail('expectation', 'must be refused, but loads');
        const problem = prototypeProblem(model!);
        if (problem) fail('prototype', problem);
        // Through the model VS Code holds: save, load again, and save again to the same bytes.
        const roundTrip = thrown(() => {
          const saved = modelToBytes(model!);
          const again = bytesToModel(saved, fileName);
          assert.deepStrictEqual(again, model);
          assert.deepStrictEqual(modelToBytes(again), saved);
        });
        if (roundTrip) fail('roundTrip', `model: ${String(roundTrip).slice(0, 300)}`);
        // Through the file's raw form (every file that loads is UTF-8).
        const rawTrip = thrown(() => {
          const raw = parseNotebook(text!, fileName);
          const written = serializeNotebook(raw);
          assert.deepStrictEqual(parseNotebook(written, fileName), raw);
          assert.equal(serializeNotebook(parseNotebook(written, fileName)), written);
        });
        if (rawTrip) fail('roundTrip', `raw: ${String(rawTrip).slice(0, 300)}`);
      }
    }
  });

  it('has a corpus of several hundred variants, both loading and refused', () => {
    assert.ok(corpus.length >= 100, `${corpus.length} variants`);
    assert.equal(new Set(corpus.map((variant) => variant.name)).size, corpus.length, 'variant names are unique');
    assert.ok(counts.loaded >= 50 && counts.refused >= 50, `${counts.loaded} loaded, ${counts.refused} refused`);
  });

  it('each variant loads or is refused with a NotebookFormatError naming the file and the problem', () => {
    assert.deepEqual(failures.outcome, []);
  });

  it('each variant does what it is meant to: valid ones load, broken ones are refused', () => {
    assert.deepEqual(failures.expectation, []);
  });

  it('whatever loads saves and loads again to an equal model, and saves to the same bytes', () => {
    assert.deepEqual(failures.roundTrip, []);
  });

  it('no file changes a prototype: keys like __proto__ and constructor stay plain fields', () => {
    assert.deepEqual(failures.prototype, []);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(([] as unknown as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(prototypeKeys(), keysBefore);
    const model = bytesToModel(corpus.find((variant) => variant.name === 'proto-notebook-metadata')!.bytes(), 'proto.emonb');
    assert.ok(Object.hasOwn(model.metadata!, '__proto__'));
    assert.deepEqual(model.metadata!['__proto__'], { polluted: true });
    assert.equal(Object.getPrototypeOf(model.metadata), Object.prototype);
  });

  it('refuses a file too large for one string with a clear error, without decoding it', () => {
    const bytes = new Uint8Array(constants.MAX_STRING_LENGTH + 1);
    const error = thrown(() => bytesToModel(bytes, 'huge.emonb'));
    assert.ok(error instanceof NotebookFormatError, String(error));
    assert.match(error.message, /^huge\.emonb is too large to open \(512 MB\)\.$/);
  });
});
