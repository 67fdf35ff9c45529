import type { SessionCounters } from '../../../shared/session-protocol.ts';

/** Seconds of history the sparklines show. */
export const STATS_HISTORY_SECONDS = 60;

/** One reading: the session's counters and what the viewer painted up to then. */
export interface StatsReading {
  counters: SessionCounters;
  /** Updates painted, and milliseconds spent painting them, since the session started. */
  painted: number;
  paintMs: number;
}

/** What the statistics overlay shows: rates over the last interval, totals, and the last minute. */
export interface LiveStats {
  framesPerSecond: number;
  kbitPerSecond: number;
  updatesPerSecond: number;
  /** Encodings by their share of the pixels received in the interval (or overall, when none came). */
  encodings: { name: string; share: number }[];
  decodeMsPerUpdate: number | undefined;
  paintMsPerUpdate: number | undefined;
  roundTripMs: number | undefined;
  autoKbps: number | undefined;
  /** The session's own counters, as they were read. */
  totalBytes: number;
  totalUpdates: number;
  history: { kbitPerSecond: number[]; framesPerSecond: number[] };
  /** The reading these came from: the next one is measured against it. */
  reading: StatsReading;
}

const perSecond = (delta: number, ms: number) => (ms > 0 ? (delta * 1000) / ms : 0);

/** Shares of the pixels per encoding, largest first. */
function shares(pixels: Record<string, number>): { name: string; share: number }[] {
  const total = Object.values(pixels).reduce((a, b) => a + b, 0);
  if (total === 0) return [];
  return Object.entries(pixels)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => ({ name, share: n / total }))
    .sort((a, b) => b.share - a.share);
}

/** The stats after a new reading, from the previous stats (undefined at the first). */
export function nextStats(previous: LiveStats | undefined, reading: StatsReading): LiveStats {
  const before = previous?.reading;
  const now = reading.counters;
  const ms = before ? now.at - before.counters.at : 0;
  const updates = before ? now.updates - before.counters.updates : 0;
  const painted = before ? reading.painted - before.painted : 0;
  const interval: Record<string, number> = {};
  for (const [name, n] of Object.entries(now.pixels))
    interval[name] = n - (before?.counters.pixels[name] ?? 0);
  const fresh = shares(interval);
  const framesPerSecond = perSecond(painted, ms);
  const kbitPerSecond = perSecond(before ? ((now.bytes - before.counters.bytes) * 8) / 1000 : 0, ms);
  const keep = (series: number[] | undefined, value: number) =>
    [...(series ?? []), value].slice(-STATS_HISTORY_SECONDS);
  return {
    framesPerSecond,
    kbitPerSecond,
    updatesPerSecond: perSecond(updates, ms),
    encodings: fresh.length > 0 ? fresh : shares(now.pixels),
    decodeMsPerUpdate:
      updates > 0 && before ? (now.decodeMs - before.counters.decodeMs) / updates : undefined,
    paintMsPerUpdate: painted > 0 && before ? (reading.paintMs - before.paintMs) / painted : undefined,
    roundTripMs: now.roundTripMs,
    autoKbps: now.autoKbps,
    totalBytes: now.bytes,
    totalUpdates: now.updates,
    history: before
      ? {
          kbitPerSecond: keep(previous?.history.kbitPerSecond, kbitPerSecond),
          framesPerSecond: keep(previous?.history.framesPerSecond, framesPerSecond),
        }
      : { kbitPerSecond: [], framesPerSecond: [] },
    reading,
  };
}
