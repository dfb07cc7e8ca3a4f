/**
 * Fuzzing the dataset manifest reader with malformed and unusual CSV and JSON manifests: each yields rows — every
 * loaded file a real file inside the dataset root, symbolic links followed, every other entry skipped with a reason —
 * or is refused with a FileError naming the manifest; nothing else is thrown and nothing takes long.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import type { DatasetItem, SkippedFile } from '../../src/core/dataset';
import { readManifest } from '../../src/core/dataset/manifest';
import { FileError } from '../../src/core/errors';
import { manifestCorpus, type ManifestVariant } from '../fuzz/manifestCorpus';
import { tempDir } from '../helpers';

const GENDERS = new Set(['female', 'male', 'unknown']);

function isInside(folder: string, target: string): boolean {
  const relative = path.relative(folder, target);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/** Why the rows read from `variant` break a rule or its expectation, or an empty list. */
function rowProblems(variant: ManifestVariant, items: readonly DatasetItem[], skipped: readonly SkippedFile[]): string[] {
  const problems: string[] = [];
  const realRoot = fs.realpathSync(variant.root);
  const manifestFolder = path.dirname(variant.file);
  const reals = new Set<string>();
  for (const item of items) {
    const fields = [item.id, item.path, item.label, item.speaker];
    if (!fields.every((field) => typeof field === 'string') || !GENDERS.has(item.gender)) {
      problems.push(`item with a field that is not text: ${JSON.stringify(item).slice(0, 200)}`);
      continue;
    }
    if (!item.label.trim()) problems.push(`${item.id}: empty label`);
    if (!fs.existsSync(item.path) || !fs.statSync(item.path).isFile()) problems.push(`${item.id}: not an existing file`);
    else {
      const real = fs.realpathSync(item.path);
      if (!isInside(realRoot, real)) problems.push(`${item.id}: real path ${real} is outside ${realRoot}`);
      if (reals.has(real)) problems.push(`${item.id}: the same file as an earlier item`);
      reals.add(real);
    }
    if (item.id !== path.relative(manifestFolder, item.path).split(path.sep).join('/')) problems.push(`${item.id}: id is not the path relative to the root`);
  }
  for (const skip of skipped) {
    if (typeof skip.path !== 'string' || !skip.path || typeof skip.problem !== 'string' || !skip.problem.trim()) problems.push(`skipped entry without a reason: ${JSON.stringify(skip).slice(0, 200)}`);
  }
  const ids = items.map((item) => item.id);
  if (variant.ids && JSON.stringify(ids) !== JSON.stringify(variant.ids)) problems.push(`ids ${JSON.stringify(ids).slice(0, 300)}, expected ${JSON.stringify(variant.ids).slice(0, 300)}`);
  const labels = items.map((item) => item.label);
  if (variant.labels && JSON.stringify(labels) !== JSON.stringify(variant.labels)) problems.push(`labels ${JSON.stringify(labels).slice(0, 300)}`);
  if (variant.entries !== undefined && items.length + skipped.length !== variant.entries) {
    problems.push(`${items.length} items and ${skipped.length} skipped for ${variant.entries} entries`);
  }
  for (const reason of variant.skips ?? []) {
    if (!skipped.some((skip) => reason.test(skip.problem))) problems.push(`no skipped entry says ${reason}: ${skipped.map((s) => s.problem.slice(0, 200)).join(' | ')}`);
  }
  return problems;
}

describe('fuzzing dataset manifests', { timeout: 600_000 }, () => {
  let corpus: ManifestVariant[];
  const failures: string[] = [];
  const counts = { rows: 0, refused: 0 };

  before(() => {
    corpus = manifestCorpus(tempDir('voice-emotion-manifests-'));
    for (const variant of corpus) {
      let result: { items: DatasetItem[]; skipped: SkippedFile[] } | undefined;
      try {
        result = readManifest(variant.file);
      } catch (error) {
        counts.refused++;
        if (!(error instanceof FileError)) failures.push(`${variant.name}: threw ${String(error).slice(0, 300)}`);
        else if (error.file !== variant.file || !error.message.includes(variant.file)) failures.push(`${variant.name}: the error does not name the manifest: ${error.message}`);
        else if (variant.expect !== 'refuse') failures.push(`${variant.name}: must yield rows, but: ${error.problem}`);
        else if (variant.problem && !variant.problem.test(error.problem)) failures.push(`${variant.name}: the error does not match ${variant.problem}: ${error.problem}`);
      }
      if (result) {
        counts.rows++;
        if (variant.expect === 'refuse') failures.push(`${variant.name}: must be refused, but yields ${result.items.length} rows`);
        else failures.push(...rowProblems(variant, result.items, result.skipped).map((problem) => `${variant.name}: ${problem}`));
      }
    }
  });

  it('has a corpus of CSV and JSON manifests, both read and refused', () => {
    assert.ok(corpus.length >= 40, `${corpus.length} variants`);
    assert.ok(corpus.some((variant) => variant.name.endsWith('.csv')) && corpus.some((variant) => /\.json$/i.test(variant.name)));
    assert.ok(counts.rows >= 20 && counts.refused >= 10, `${counts.rows} read, ${counts.refused} refused`);
  });

  it('each manifest yields rows inside the root with reasons for every skipped entry, or a FileError naming it', () => {
    assert.deepEqual(failures, []);
  });
});
