/**
 * The top functions by self time of a V8 CPU profile (`node --cpu-prof`'s .cpuprofile, or the
 * Chrome DevTools Protocol's Profiler.stop), for the benchmark's `--profile` output.
 */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
  }[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileLine {
  name: string;
  where: string;
  selfMs: number;
  share: number;
}

export function topSelfTime(profile: CpuProfile, count = 15): ProfileLine[] {
  const selfMs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // A sample's time is the delta to the next sample (V8 records the delta before each one).
  for (let i = 0; i < samples.length; i++) {
    const ms = (deltas[i + 1] ?? 0) / 1000;
    selfMs.set(samples[i], (selfMs.get(samples[i]) ?? 0) + ms);
  }
  const total = (profile.endTime - profile.startTime) / 1000;
  const byName = new Map<string, ProfileLine>();
  for (const node of profile.nodes) {
    const ms = selfMs.get(node.id) ?? 0;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const where = url ? `${url.replace(/^.*\/(?=[^/]+\/[^/]+$)/, '')}:${lineNumber + 1}` : '';
    const key = `${name} ${where}`;
    const line = byName.get(key) ?? { name, where, selfMs: 0, share: 0 };
    line.selfMs += ms;
    line.share = total > 0 ? line.selfMs / total : 0;
    byName.set(key, line);
  }
  return [...byName.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, count);
}

export function profileTable(title: string, lines: ProfileLine[]): string {
  return [
    title,
    '',
    '| function | where | self ms | share of the window |',
    '|---|---|--:|--:|',
    ...lines.map(
      (l) => `| ${l.name} | ${l.where} | ${l.selfMs.toFixed(0)} | ${(l.share * 100).toFixed(1)}% |`,
    ),
    '',
  ].join('\n');
}
