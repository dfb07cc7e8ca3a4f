/** A one-line progress bar on stderr, redrawn in place; silent when stderr is not a terminal. */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly enabled = Boolean(process.stderr.isTTY),
  ) {}

  /** Redraws at most 10 times a second (always for the final update). */
  update(done: number, total: number, detail = ''): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (done < total && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 28;
    const filled = total > 0 ? Math.round((done / total) * width) : width;
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    process.stderr.write(`\r${this.label} ${bar} ${done}/${total}${detail ? ` ${detail}` : ''}\x1b[K`);
    this.drawn = true;
  }

  /** Ends the bar's line. */
  finish(): void {
    if (this.enabled && this.drawn) process.stderr.write('\n');
    this.drawn = false;
  }
}

/** Formats a 0–1 share as "77.3%", or "—" when there is none. */
export function formatPercent(value: number | undefined): string {
  return value === undefined ? '—' : `${(value * 100).toFixed(1)}%`;
}

/** Formats seconds as "1 min 05 s" or "42 s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}
