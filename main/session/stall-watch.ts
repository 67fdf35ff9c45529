import { RfbError } from '../../shared/rfb-error.ts';

export interface StallWatchOptions {
  /** Seconds without a byte from the server before it is probed. */
  silenceSeconds: number;
  /** Seconds the probe's answer may take. */
  probeSeconds: number;
}

/**
 * Notices a server that stopped answering while its socket stays open (a hung server, a link
 * that drops everything, a machine that slept): after `silenceSeconds` without a byte it probes
 * the server (`probe`, which the server must answer), and if no byte arrives within
 * `probeSeconds` it calls `onStall` with the error to end the connection with. A still screen
 * is not a stall: the server answers the probe, and the watch starts over.
 */
export class StallWatch {
  private lastByteAt = performance.now();
  private probeSentAt: number | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly options: StallWatchOptions,
    private readonly probe: () => void,
    private readonly onStall: (error: RfbError) => void,
  ) {
    const tickMs = Math.min(1000, (Math.min(options.silenceSeconds, options.probeSeconds) * 1000) / 4);
    this.timer = setInterval(() => this.check(), tickMs);
  }

  /** A byte arrived from the server. */
  received(): void {
    this.lastByteAt = performance.now();
    this.probeSentAt = undefined;
  }

  /** Probes at once (after the machine resumed, or the network came back), unless a probe is out. */
  checkNow(): void {
    if (this.probeSentAt === undefined) this.sendProbe(performance.now());
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sendProbe(now: number): void {
    this.probeSentAt = now;
    this.probe();
  }

  private check(): void {
    const now = performance.now();
    if (this.probeSentAt === undefined) {
      if (now - this.lastByteAt >= this.options.silenceSeconds * 1000) this.sendProbe(now);
      return;
    }
    if (now - this.probeSentAt < this.options.probeSeconds * 1000) return;
    this.stop();
    const silent = Math.round((now - this.lastByteAt) / 1000);
    this.onStall(
      new RfbError(
        'timeout',
        `the server stopped answering (no data for ${silent} s)`,
        'The server or the network may be stuck, or this machine was asleep',
      ),
    );
  }
}
