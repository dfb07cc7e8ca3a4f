import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FeatureKind } from '../../core/audio/config';
import type { ExplainRequest, Explanation, ExplanationMethod } from '../../shared/explanation';
import type { ClassifyRowView, PanelState, RunSummary, SpectrogramKind, SpectrogramView } from '../../shared/panelProtocol';
import type { Lab } from '../lab';
import { describeError, refuseUntrusted } from '../jobs';
import { explainArguments, explainOf, requestExplanation } from './explain';
import { readModelMeta } from '../models';
import { metricsView } from '../../shared/trainingView';
import { PanelHost } from '../panels/panelHost';
import { pickDataset, pickModel, requireModel } from '../pickers';
import { readSettings } from '../settings';

/** WAV files among the explorer selection, or picked in a dialog when the command came from the palette. */
async function wavFiles(uri: vscode.Uri | undefined, uris: vscode.Uri[] | undefined, openLabel: string, many: boolean): Promise<vscode.Uri[]> {
  let selected = uris?.length ? uris : uri ? [uri] : [];
  if (!selected.length && vscode.window.activeTextEditor?.document.uri.fsPath.match(/\.wave?$/i)) selected = [vscode.window.activeTextEditor.document.uri];
  if (!selected.length) selected = (await vscode.window.showOpenDialog({ canSelectMany: many, filters: { 'WAV audio': ['wav', 'wave'] }, openLabel })) ?? [];
  const local = selected.filter((u) => u.scheme === 'file');
  if (local.length < selected.length) void vscode.window.showErrorMessage('Voice Emotion: only WAV files on disk can be read.');
  return local;
}

/** One panel per view kind, reused for the next file. */
const panels = new Map<string, PanelHost>();

function showPanel(lab: Lab, key: string, view: PanelState['view'], title: string, source: ConstructorParameters<typeof PanelHost>[3]): void {
  const existing = panels.get(key);
  if (existing && !existing.isDisposed) {
    existing.replaceSource(source, title);
    return;
  }
  const host = new PanelHost(lab.context.extensionUri, view, title, source, vscode.ViewColumn.Two);
  lab.context.subscriptions.push(host);
  panels.set(key, host);
}

/** A file's spectrogram view from the worker with the settings' feature configuration. */
function spectrogramOf(lab: Lab, file: string, kind: FeatureKind, config = readSettings().features): Promise<SpectrogramView> {
  return lab.worker.request('spectrogram', { file, kind, config }, { timeoutMs: 120_000 }).then((view) => ({ ...view, name: vscode.workspace.asRelativePath(file) }));
}

/**
 * "Voice Emotion: Classify Emotion": the active model on the selected WAV files, results in a panel. Resolves with the
 * panel's rows (for scripts and tests), or undefined when nothing was classified.
 */
export async function classifyCommand(lab: Lab, uri?: vscode.Uri, uris?: vscode.Uri[]): Promise<ClassifyRowView[] | undefined> {
  if (refuseUntrusted('Classify Emotion')) return undefined;
  const files = await wavFiles(uri, uris, 'Classify', true);
  if (!files.length) return undefined;
  const modelDir = await requireModel(lab.models);
  if (!modelDir) return undefined;
  return (await classifyAndShow(lab, modelDir, files.map((f) => f.fsPath)))?.rows;
}

/**
 * Classifies files with a model and shows the classify panel, with the first classified file explained (Grad-CAM
 * unless `explain` says otherwise; the panel can ask for the other method and the other files). Resolves with the
 * rows and that explanation (or why it failed), or undefined when classification failed (the error is shown).
 */
export async function classifyAndShow(
  lab: Lab,
  modelDir: string,
  files: readonly string[],
  explain: { method?: ExplanationMethod; label?: string } = {},
): Promise<{ rows: ClassifyRowView[]; explanation?: Explanation; explanationError?: string; explanationRequest?: ExplainRequest } | undefined> {
  const meta = readModelMeta(modelDir);
  const settings = readSettings();
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Classifying ${files.length} file(s)` }, async () => {
    try {
      const results = await lab.worker.request('classify', { modelDir, files: [...files], backend: settings.backend }, { timeoutMs: 0 });
      const rows: ClassifyRowView[] = results.map((r) =>
        'error' in r
          ? { file: r.file, name: vscode.workspace.asRelativePath(r.file), error: r.error }
          : { file: r.file, name: vscode.workspace.asRelativePath(r.file), label: r.label, probabilities: r.probabilities, durationSeconds: r.durationSeconds, timeline: r.timeline },
      );
      for (const row of rows) if (row.error) lab.log.appendLine(`Classify: ${row.file}: ${row.error}`);
      const first = rows.find((r) => !r.error);
      const served = results.find((r) => 'backend' in r);
      if (served && 'backend' in served) lab.worker.reportBackend(served.backend);
      const spectrogram = first ? await spectrogramOf(lab, first.file, meta?.feature.kind ?? 'logmel', meta?.feature.config ?? settings.features).catch(() => undefined) : undefined;
      const explanationRequest = first ? { file: first.file, method: explain.method ?? 'gradcam', ...(explain.label !== undefined ? { label: explain.label } : {}) } : undefined;
      const explained = explanationRequest ? { ...(await explainOf(lab, modelDir, explanationRequest.file, explanationRequest.method, explanationRequest.label)), explanationRequest } : {};
      const model = path.basename(modelDir);
      const title = rows.length === 1 ? `Emotion: ${path.basename(rows[0].file)}` : `Emotion: ${rows.length} files`;
      showPanel(lab, 'classify', 'classify', title, {
        state: () => ({ view: 'classify', model, rows, spectrogram, ...explained }),
        openableFiles: () => new Set(rows.map((r) => r.file)),
        explain: (file: string, method: ExplanationMethod, label?: string) => requestExplanation(lab, modelDir, file, method, label),
      });
      return { rows, ...explained };
    } catch (error) {
      lab.log.appendLine(`Classify: ${describeError(error)}`);
      void vscode.window.showErrorMessage(`Voice Emotion: classification failed: ${describeError(error)}`);
      return undefined;
    }
  });
}

/**
 * "Voice Emotion: Explain Emotion": the active model's emotion for one WAV file and the time–frequency regions that
 * drove it, as a heat overlay in the classify panel. `options` (from scripts and tests; the Explorer passes its
 * selection there, which is ignored) picks the method and the emotion. Resolves with the explanation, or undefined
 * when there is none (the reason is shown).
 */
export async function explainCommand(lab: Lab, uri?: vscode.Uri, options?: unknown): Promise<Explanation | undefined> {
  const [file] = await wavFiles(uri, undefined, 'Explain', false);
  if (!file) return undefined;
  const modelDir = await requireModel(lab.models);
  if (!modelDir) return undefined;
  const result = await classifyAndShow(lab, modelDir, [file.fsPath], explainArguments(options));
  if (result && !result.explanation) {
    const why = result.explanationError ?? result.rows[0]?.error ?? 'it could not be classified';
    void vscode.window.showErrorMessage(`Voice Emotion: could not explain ${path.basename(file.fsPath)}: ${why}`);
  }
  return result?.explanation;
}

/**
 * "Voice Emotion: Show Spectrogram": waveform and features of a WAV file with the current feature settings. Resolves
 * with what the panel shows, or undefined when the file could not be read (the error is shown).
 */
export async function showSpectrogramCommand(lab: Lab, uri?: vscode.Uri): Promise<SpectrogramView | undefined> {
  const [file] = await wavFiles(uri, undefined, 'Show Spectrogram', false);
  if (!file) return undefined;
  try {
    const view = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Computing spectrogram' }, () => spectrogramOf(lab, file.fsPath, 'logmel'));
    showPanel(lab, 'spectrogram', 'spectrogram', `Spectrogram: ${path.basename(file.fsPath)}`, {
      state: () => ({ view: 'spectrogram', spectrogram: view }),
      spectrogram: (kind: SpectrogramKind) => spectrogramOf(lab, file.fsPath, kind),
      openableFiles: () => new Set([file.fsPath]),
    });
    return view;
  } catch (error) {
    lab.log.appendLine(`Show Spectrogram: ${describeError(error)}`);
    void vscode.window.showErrorMessage(`Voice Emotion: ${describeError(error)}`);
    return undefined;
  }
}

/** "Voice Emotion: Evaluate Model…": a model on a dataset (its test split when it is the training dataset). */
export async function evaluateCommand(lab: Lab): Promise<void> {
  const modelDir = await pickModel(lab.models, 'Evaluate Model (1/2): model');
  if (!modelDir) return;
  const dataDir = await pickDataset(lab.state, 'Evaluate Model (2/2): dataset');
  if (!dataDir) return;
  const result = await lab.jobs.run(`Evaluating ${path.basename(modelDir)}`, (job) =>
    lab.worker.request('evaluate', { modelDir, dataDir, backend: readSettings().backend }, { signal: job.signal, timeoutMs: 0 }),
  );
  if (!result) return;
  lab.worker.reportBackend(result.backend);
  const metrics = metricsView(result)!;
  const skipped = result.skipped.map((s) => ({ file: s.path, reason: s.problem }));
  showPanel(lab, 'evaluation', 'evaluation', `Evaluation: ${path.basename(modelDir)}`, {
    state: () => ({ view: 'evaluation', model: path.basename(modelDir), dataset: vscode.workspace.asRelativePath(dataDir), selection: result.selection, metrics, skipped }),
    openableFiles: () => new Set(skipped.map((s) => s.file)),
  });
}

/**
 * "Voice Emotion: Compare Runs": every recorded training run (and model without a record) of the workspace side by
 * side: table, settings, overlaid curves and a confusion-matrix difference. Resolves with the runs it shows; records
 * that could not be read are named in the output channel.
 */
export function compareRunsCommand(lab: Lab): RunSummary[] {
  const { runs, skipped } = lab.models.listing();
  for (const record of skipped) lab.log.appendLine(`Compare Runs: skipped ${record.file}: ${record.reason}`);
  showPanel(lab, 'runs', 'runs', 'Compare Runs', {
    state: () => ({ view: 'runs', runs: lab.models.runs() }),
    openableFiles: () => new Set(lab.models.runs().flatMap((r) => [path.join(r.modelDir, 'emotion.json'), ...(r.file ? [r.file] : [])])),
  });
  return runs;
}

/** "Voice Emotion: Select Active Model…": the model Classify Emotion uses. */
export async function selectModelCommand(lab: Lab): Promise<void> {
  const modelDir = await pickModel(lab.models, 'Select Active Model');
  if (!modelDir) return;
  await lab.models.setActive(modelDir);
  void vscode.window.showInformationMessage(`Voice Emotion: ${path.basename(modelDir)} is now the active model.`);
}
