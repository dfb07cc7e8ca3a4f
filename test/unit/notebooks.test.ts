/** Every shipped notebook runs top to bottom on the demo corpus (quick mode) and shows the outputs it promises. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { MIME } from '../../src/shared/mime';
import { parseNotebook } from '../../src/shared/notebookFormat';
import type { CellEvent } from '../../src/shared/workerProtocol';
import { NotebookKernel } from '../../src/worker/notebook/kernel';
import { ROOT, tempDir } from '../helpers';

/** The rich MIME types each notebook must produce somewhere in its outputs. */
const EXPECTED: Record<string, string[]> = {
  'quickstart.emonb': [MIME.table, MIME.audio, MIME.spectrogram, MIME.training, MIME.metrics, MIME.classification, MIME.explorer],
  'augmentation.emonb': [MIME.audio, MIME.spectrogram],
  'ravdess.emonb': [MIME.table, MIME.explorer, MIME.training, MIME.metrics, MIME.explanation, MIME.spectrogram],
};

describe('shipped notebooks', { timeout: 600_000 }, () => {
  const quick = process.env.EMO_QUICK;
  process.env.EMO_QUICK = '1';
  after(() => {
    if (quick === undefined) delete process.env.EMO_QUICK;
    else process.env.EMO_QUICK = quick;
  });

  it('the notebooks folder has the three notebooks the README lists', () => {
    assert.deepEqual(fs.readdirSync(path.join(ROOT, 'notebooks')).filter((f) => f.endsWith('.emonb')).sort(), Object.keys(EXPECTED).sort());
  });

  for (const [name, mimes] of Object.entries(EXPECTED)) {
    it(`${name} runs every cell without an error and shows ${mimes.length} kinds of output`, async () => {
      const notebook = parseNotebook(fs.readFileSync(path.join(ROOT, 'notebooks', name), 'utf8'), name);
      const kernel = new NotebookKernel(tempDir());
      const seen = new Set<string>();
      const code = notebook.cells.filter((cell) => cell.kind === 'code');
      assert.ok(code.length >= 3, 'has code cells');
      for (const [i, cell] of code.entries()) {
        const events: CellEvent[] = [];
        const result = await kernel.execute(
          { code: cell.source, language: cell.language === 'javascript' ? 'javascript' : 'typescript', cellLabel: `cell ${i + 1}` },
          new AbortController().signal,
          (event) => events.push(event),
        );
        assert.ok(result.success, `${name} cell ${i + 1} failed: ${result.error?.stack}`);
        for (const event of events) if ('items' in event) for (const item of event.items) seen.add(item.mime);
      }
      for (const mime of mimes) assert.ok(seen.has(mime), `${name} shows ${mime}`);
    });
  }
});
