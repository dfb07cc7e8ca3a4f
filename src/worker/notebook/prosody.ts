import type { FeatureConfig } from '../../core/audio/config';
import type { ProsodySummary } from '../../core/audio/prosody';
import { MIME, type TableJson } from '../../shared/mime';
import type { SpectrogramView } from '../../shared/panelProtocol';
import { prosodyTableRows } from '../../shared/prosodyView';
import { spectrogramView } from './clips';
import { displayable, richItems, tableText, type Displayable } from './display';

/** What `emo.prosody` returns: the file, its per-clip summary, and the view drawn with the contours. */
export type ProsodyResult = ProsodySummary & { readonly file: string; readonly view: SpectrogramView } & Displayable;

/** A file's prosody over its whole length: the summary as a table, and the log-mel spectrogram with the F0, energy and HNR contours. */
export function prosodyOfFile(file: string, config: Partial<FeatureConfig>, points: number): ProsodyResult {
  const view = spectrogramView(file, 'logmel', config, points);
  const summary = view.prosody!.summary;
  const table: TableJson = { caption: `Prosody of ${view.name}`, columns: ['measure', 'value'], rows: prosodyTableRows(summary) };
  const f0 = summary.f0MeanHz === null ? 'no voiced frames' : `F0 mean ${summary.f0MeanHz.toFixed(1)} Hz`;
  return displayable({ ...summary, file, view }, () => [
    { items: richItems(MIME.table, table, tableText(table)) },
    { items: richItems(MIME.spectrogram, view, `${view.name}: ${f0}, ${(summary.voicedFraction * 100).toFixed(0)}% voiced`) },
  ]);
}
