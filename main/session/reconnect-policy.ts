import type { RfbErrorKind } from '../../shared/rfb-error.ts';

export const DEFAULT_RECONNECT_DELAYS = [1, 2, 4, 8, 15, 30];
export const DEFAULT_MAX_RECONNECT_ATTEMPTS = 20;

/** What the host knows when a connection ends with an error. */
export interface ClosedConnection {
  kind: RfbErrorKind;
  /** The connection had been established (ServerInit arrived). */
  wasConnected: boolean;
  /** A reverse connection (listen mode): nobody to call back. */
  reverse: boolean;
  /** The request allows reconnecting by itself (the viewer's setting). */
  reconnectAllowed: boolean;
}

/**
 * When and how often a dropped connection is tried again: with backoff (the delays, the last
 * repeating), up to a limit (the request's, 0 meaning never give up, else the host's), with a
 * countdown the viewer shows. Attempts count from the last established connection.
 */
export class ReconnectPolicy {
  private readonly delays: readonly number[];
  private readonly maxAttempts: number;
  /** Attempts since the last established connection; 0 when none is under way. */
  private attemptsMade = 0;
  private dueTimer: NodeJS.Timeout | undefined;
  private countdownTimer: NodeJS.Timeout | undefined;

  constructor(
    delays: readonly number[] = DEFAULT_RECONNECT_DELAYS,
    maxAttempts = DEFAULT_MAX_RECONNECT_ATTEMPTS,
  ) {
    this.delays = delays;
    this.maxAttempts = maxAttempts;
  }

  get attempt(): number {
    return this.attemptsMade;
  }

  /** A connection was established: the next drop starts from the first delay. */
  connected(): void {
    this.attemptsMade = 0;
  }

  /** The user ended it, or it ended for good. */
  reset(): void {
    this.cancel();
    this.attemptsMade = 0;
  }

  /** Worth trying again: a network failure or time-out of a connection that had worked (or was being retried). */
  shouldRetry(closed: ClosedConnection): boolean {
    const dropped = closed.wasConnected || this.attemptsMade > 0;
    const retryable = closed.kind === 'network' || closed.kind === 'timeout';
    return dropped && retryable && !closed.reverse && closed.reconnectAllowed;
  }

  /**
   * Counts one more attempt and schedules it: `tick` each second of the countdown (from the
   * full delay down to 0), `due` when it is time. Returns the limit reached instead, when it is.
   */
  schedule(
    requestedLimit: number | undefined,
    tick: (seconds: number, attempt: number) => void,
    due: () => void,
  ): { gaveUpAfter: number } | undefined {
    this.cancel();
    this.attemptsMade++;
    const limit =
      requestedLimit === undefined ? this.maxAttempts : requestedLimit || Number.POSITIVE_INFINITY;
    if (this.attemptsMade > limit) {
      this.attemptsMade = 0;
      return { gaveUpAfter: limit };
    }
    let seconds = this.delays[Math.min(this.attemptsMade - 1, this.delays.length - 1)];
    const attempt = this.attemptsMade;
    const countdown = () => {
      tick(seconds, attempt);
      if (seconds <= 0) return;
      this.countdownTimer = setTimeout(
        () => {
          seconds--;
          countdown();
        },
        Math.min(1000, seconds * 1000),
      );
    };
    countdown();
    this.dueTimer = setTimeout(() => {
      this.cancel();
      due();
    }, seconds * 1000);
    return undefined;
  }

  /** Stops a scheduled attempt (the count stays). */
  cancel(): void {
    clearTimeout(this.dueTimer);
    clearTimeout(this.countdownTimer);
    this.dueTimer = undefined;
    this.countdownTimer = undefined;
  }
}
