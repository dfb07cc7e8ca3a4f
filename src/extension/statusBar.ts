import * as vscode from 'vscode';
import { COMMANDS } from '../shared/commands';
import { Disposable } from './dispose';
import type { JobRunner, JobStatus } from './jobs';
import type { LabWorker } from './worker';

/** The status bar item: the TensorFlow.js backend in use, or the running job's progress; opens the dashboard. */
export class LabStatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('voiceEmotion.status', vscode.StatusBarAlignment.Left, 10));
  private job: JobStatus | undefined;

  constructor(
    jobs: JobRunner,
    private readonly worker: LabWorker,
  ) {
    super();
    this.item.name = 'Voice Emotion';
    this.item.command = COMMANDS.openDashboard;
    this._register(jobs.onDidChange((status) => this.showJob(status)));
    this._register(worker.onDidReportBackend(() => this.render()));
    this.render();
    this.item.show();
  }

  private showJob(status: JobStatus | undefined): void {
    this.job = status;
    this.render();
  }

  private render(): void {
    const backend = this.worker.backend ?? 'not started';
    const device = this.worker.device ? ` on ${this.worker.device}` : '';
    if (this.job) {
      const percent = this.job.fraction === undefined ? '' : ` ${Math.round(this.job.fraction * 100)}%`;
      this.item.text = `$(sync~spin) ${this.job.title}${percent}`;
      this.item.tooltip = `${this.job.title}: ${this.job.message}\nBackend: ${backend}${device}\nClick for the Training Dashboard`;
    } else {
      this.item.text = `$(pulse) Emotion: ${backend}`;
      this.item.tooltip = `Voice Emotion Lab — TensorFlow.js backend: ${backend}${device}\nClick for the Training Dashboard`;
    }
    this.item.accessibilityInformation = { label: `Voice Emotion: ${this.job ? this.job.title : `backend ${backend}`}` };
  }
}
