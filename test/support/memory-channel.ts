import type { SessionChannel } from '../../main/session/session-host.ts';
import { decodeDrawBatch } from '../../shared/draw-wire.ts';
import { Framebuffer } from '../../shared/framebuffer.ts';
import type { FromSession, SessionStatus, ToSession } from '../../shared/session-protocol.ts';
import type { Image } from './truth.ts';

/** A session channel held in memory: what a viewer would receive, and a way to send as one. */
export class MemoryChannel implements SessionChannel {
  readonly received: FromSession[] = [];
  private listener: ((message: unknown) => void) | undefined;
  private closeListener: (() => void) | undefined;
  private waiters: (() => void)[] = [];
  /** What `paint` has drawn so far. */
  readonly framebuffer = new Framebuffer();
  /** Updates `paint` has drawn to their end. */
  updatesPainted = 0;
  private paintedUpTo = 0;

  send(message: FromSession): void {
    this.received.push(message);
    for (const wake of this.waiters.splice(0)) wake();
  }
  onMessage(listener: (message: unknown) => void): void {
    this.listener = listener;
  }
  onClose(listener: () => void): void {
    this.closeListener = listener;
  }
  close(): void {
    this.closeListener?.();
  }

  /** Sends as the viewer would. */
  post(message: ToSession | unknown): void {
    this.listener?.(message);
  }

  /**
   * Paints the draw batches that arrived since the last call and acknowledges each finished
   * update, as a viewer does; returns the picture.
   */
  paint(): Image {
    for (; this.paintedUpTo < this.received.length; this.paintedUpTo++) {
      const m = this.received[this.paintedUpTo];
      if (m.type !== 'draw') continue;
      const batch = decodeDrawBatch(m.batch);
      this.framebuffer.apply(batch);
      if (batch.updateEnd) {
        this.updatesPainted++;
        this.post({ type: 'painted' });
      }
    }
    const { width, height, data } = this.framebuffer;
    return { width, height, data };
  }

  statuses(): SessionStatus[] {
    return this.received.flatMap((m) => (m.type === 'status' ? [m.status] : []));
  }

  /** Waits until `test` holds for what has arrived, or fails after `ms` saying what was seen. */
  async until<T>(what: string, test: (received: FromSession[]) => T | undefined, ms = 15_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const value = test(this.received);
      if (value !== undefined && value !== false) return value;
      const left = end - Date.now();
      if (left <= 0) {
        const seen = this.statuses().map((s) => JSON.stringify(s));
        throw new Error(`no ${what} within ${ms} ms; statuses: ${seen.join(' → ')}`);
      }
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  /** Waits for a status of the given phase arriving after the first `after` messages. */
  untilPhase<P extends SessionStatus['phase']>(phase: P, after = 0, ms = 15_000) {
    return this.until(
      `status "${phase}"`,
      (received) => {
        for (let i = after; i < received.length; i++) {
          const m = received[i];
          if (m.type === 'status' && m.status.phase === phase)
            return m.status as Extract<SessionStatus, { phase: P }>;
        }
        return undefined;
      },
      ms,
    );
  }
}
