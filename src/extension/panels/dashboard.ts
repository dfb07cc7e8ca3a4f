import * as vscode from 'vscode';
import { Disposable } from '../dispose';
import type { JobRunner } from '../jobs';
import type { ModelRegistry } from '../models';
import type { DashboardRun, PanelState } from '../../shared/panelProtocol';
import { PanelHost } from './panelHost';

/** How often a running job's dashboard is redrawn at most (batches arrive faster). */
const MIN_UPDATE_MS = 250;

/**
 * The Training Dashboard: one panel showing the live training run, or after a reload the last run saved in the
 * models folder. Reopening it during a run reconnects to the live job.
 */
export class TrainingDashboard extends Disposable {
  private host: PanelHost | undefined;
  private live: DashboardRun | undefined;
  private readonly listeners = new Set<(state: PanelState) => void>();
  private lastSent = 0;
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly jobs: JobRunner,
    private readonly models: ModelRegistry,
  ) {
    super();
    this._register({ dispose: () => this.pending && clearTimeout(this.pending) });
  }

  /** Opens the dashboard (or brings it to the front). */
  show(column = vscode.ViewColumn.Two): void {
    if (this.host && !this.host.isDisposed) {
      this.host.panel.reveal(undefined, true);
      return;
    }
    this.host = this._register(
      new PanelHost(this.extensionUri, 'dashboard', 'Training Dashboard', {
        state: () => this.state(),
        subscribe: (listener) => {
          this.listeners.add(listener);
          return { dispose: () => this.listeners.delete(listener) };
        },
        cancelJob: () => this.jobs.cancel(),
        openableFiles: () => {
          const run = this.live ?? this.models.lastRun();
          return new Set(run ? [run.modelDir, ...(run.kfold?.rows ?? []).map((row) => row.modelDir)].map((dir) => `${dir}/emotion.json`) : []);
        },
      }, column),
    );
  }

  /** The run the dashboard shows: the live one, else the newest saved model's history. */
  state(): PanelState {
    return { view: 'dashboard', run: this.live ?? this.models.lastRun() ?? null };
  }

  /** Shows a new state of the live run; batch-level updates are throttled, status changes are sent at once. */
  update(run: DashboardRun): void {
    const foldsChanged = run.kfold?.rows.map((row) => row.status).join() !== this.live?.kfold?.rows.map((row) => row.status).join();
    const statusChanged = foldsChanged || run.status !== this.live?.status || run.history.length !== this.live?.history.length;
    this.live = run;
    const now = Date.now();
    if (statusChanged || now - this.lastSent >= MIN_UPDATE_MS) {
      this.flush();
    } else if (!this.pending) {
      this.pending = setTimeout(() => this.flush(), MIN_UPDATE_MS - (now - this.lastSent));
    }
  }

  private flush(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    this.lastSent = Date.now();
    const state = this.state();
    for (const listener of this.listeners) listener(state);
  }
}
