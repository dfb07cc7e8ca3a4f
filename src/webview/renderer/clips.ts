import type { RendererRequest } from '../../shared/mime';
import { parseReply, type ClipPayload } from './model';

/** The kernel's answer to a clip request does not come within this time (the host itself waits up to a minute). */
export const CLIP_TIMEOUT_MS = 75_000;

/** Asks the notebook's kernel (through renderer messaging) for a clip's audio and spectrogram, matching replies by request id. */
export class ClipClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(clip: ClipPayload): void; reject(error: Error): void; timer: ReturnType<typeof setTimeout> }>();

  constructor(
    private readonly post: (message: RendererRequest) => void,
    private readonly timeoutMs = CLIP_TIMEOUT_MS,
  ) {}

  /** Requests the clip `file`; rejects with the kernel's error, a malformed reply, or a timeout. */
  request(file: string): Promise<ClipPayload> {
    const requestId = this.nextId++;
    return new Promise<ClipPayload>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error('No answer from the Voice Emotion kernel. Run the notebook to hear clips.'));
      }, this.timeoutMs);
      this.pending.set(requestId, { resolve, reject, timer });
      try {
        this.post({ type: 'clip', requestId, file });
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(requestId);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Handles a message from the kernel: settles the request it answers; ignores anything else. */
  receive(message: unknown): void {
    const id = typeof (message as { requestId?: unknown } | null)?.requestId === 'number' ? (message as { requestId: number }).requestId : undefined;
    const waiting = id === undefined ? undefined : this.pending.get(id);
    if (!waiting || id === undefined) return;
    this.pending.delete(id);
    clearTimeout(waiting.timer);
    try {
      const reply = parseReply(message);
      if (!reply) waiting.reject(new Error('The kernel sent an unexpected reply.'));
      else if (reply.type === 'error') waiting.reject(new Error(reply.message));
      else waiting.resolve({ audio: reply.audio, spectrogram: reply.spectrogram });
    } catch (error) {
      waiting.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Rejects every pending request (the renderer is going away). */
  dispose(): void {
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(new Error('cancelled'));
      this.pending.delete(id);
    }
  }
}
