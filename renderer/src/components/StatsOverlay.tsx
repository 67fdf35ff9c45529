import type { LiveStats } from '../session/live-stats.ts';
import { STATS_HISTORY_SECONDS } from '../session/live-stats.ts';
import type { TabView } from '../session/view-state.ts';
import type { Tab } from '../state/store.ts';
import { COLOUR_LEVEL_LABELS, QUALITY_LABELS } from './labels.ts';
import { formatBitRate, formatBytes } from './units.ts';

const ms = (value: number | undefined) =>
  value === undefined ? '–' : `${value.toFixed(value < 10 ? 2 : 0)} ms`;

/** A line over the last minute, scaled to its own largest value. */
function Sparkline(props: { label: string; values: number[] }) {
  const width = 120;
  const height = 24;
  const top = Math.max(...props.values, 1);
  const step = width / (STATS_HISTORY_SECONDS - 1);
  const points = props.values
    .map((v, i) => {
      const x = width - (props.values.length - 1 - i) * step;
      return `${x.toFixed(1)},${(height - (v / top) * (height - 2) - 1).toFixed(1)}`;
    })
    .join(' ');
  return (
    <svg className="sparkline" width={width} height={height} role="img" aria-label={props.label}>
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

/**
 * The live statistics over the session: frame rate, bandwidth, updates, encodings by share of
 * pixels, round trip, decode and paint time per update, the picture in effect, Auto's estimate
 * and decision, and the security of the connection; sparklines of the last minute.
 */
export function StatsOverlay(props: { tab: Tab; view: TabView }) {
  const { tab, view } = props;
  const stats: LiveStats | undefined = view.stats;
  const status = tab.status?.phase === 'connected' ? tab.status : undefined;
  const inEffect = view.inEffect;
  return (
    <section className="stats-overlay" aria-label="Statistics">
      {!stats ? (
        <p>Waiting for the session's counters…</p>
      ) : (
        <>
          <dl>
            <dt>Frames</dt>
            <dd>{stats.framesPerSecond.toFixed(1)} /s</dd>
            <dt>Bandwidth</dt>
            <dd>{formatBitRate(stats.kbitPerSecond * 1000)}</dd>
            <dt>Updates</dt>
            <dd>{stats.updatesPerSecond.toFixed(1)} /s</dd>
            <dt>Encodings</dt>
            <dd>
              {stats.encodings.length === 0
                ? '–'
                : stats.encodings.map((e) => `${e.name} ${Math.round(e.share * 100)}%`).join(', ')}
            </dd>
            <dt>Round trip</dt>
            <dd>{ms(stats.roundTripMs)}</dd>
            <dt>Decode</dt>
            <dd>{ms(stats.decodeMsPerUpdate)}</dd>
            <dt>Paint</dt>
            <dd>{ms(stats.paintMsPerUpdate)}</dd>
            <dt>Picture</dt>
            <dd>
              {QUALITY_LABELS[tab.quality]}, {COLOUR_LEVEL_LABELS[tab.colourLevel]}
              {inEffect && ` (in effect: ${inEffect.preset}, ${COLOUR_LEVEL_LABELS[inEffect.colourLevel]})`}
            </dd>
            {tab.quality === 'auto' && (
              <>
                <dt>Auto</dt>
                <dd>
                  {stats.autoKbps !== undefined
                    ? `estimate ${formatBitRate(stats.autoKbps * 1000)}`
                    : 'measuring'}
                  {view.auto && `; ${view.auto}`}
                </dd>
              </>
            )}
            <dt>Security</dt>
            <dd>{status?.security ?? '–'}</dd>
            <dt>Received</dt>
            <dd>
              {stats.totalUpdates} updates, {formatBytes(stats.totalBytes)}
            </dd>
          </dl>
          <div className="sparklines">
            <span>Bandwidth, last minute</span>
            <Sparkline label="Bandwidth over the last minute" values={stats.history.kbitPerSecond} />
            <span>Frames, last minute</span>
            <Sparkline label="Frame rate over the last minute" values={stats.history.framesPerSecond} />
          </div>
        </>
      )}
    </section>
  );
}
