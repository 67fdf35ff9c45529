import type { FirstUpdateProgress } from '../../../shared/session-protocol.ts';
import { useTabView } from '../session/view-state.ts';
import type { Tab } from '../state/store.ts';
import { formatBitRate, formatBytes } from './units.ts';

/** The one-line state of a session, as a screen reader hears it too. */
export function statusText(tab: Tab): string {
  const s = tab.status;
  if (!s) return `Connecting to ${tab.target}…`;
  switch (s.phase) {
    case 'connecting':
      return s.attempt > 0
        ? `Connecting to ${s.target} (attempt ${s.attempt})…`
        : `Connecting to ${s.target}…`;
    case 'listening':
      return `Listening for a server to connect on port ${s.port}…`;
    case 'authenticating':
      return 'Authenticating…';
    case 'password':
      return 'Password required';
    case 'certificate':
      return 'The server’s certificate is not verified: trust it or cancel';
    case 'ssh':
      return s.prompt.kind === 'host-key'
        ? 'Unknown SSH host key: trust it?'
        : `SSH ${s.prompt.kind} required`;
    case 'connected':
      return `Connected to ${tab.desktopName || s.name || tab.target} (${tab.width}×${tab.height})${s.via ? ` via ${s.via}` : ''}${s.security ? ` · ${s.security}` : ''}${s.safeMode ? ` — ${s.safeMode}` : ''}${s.fallback ? ` — ${s.fallback}` : ''}`;
    case 'reconnecting':
      return `Connection lost: ${s.error.message}. Reconnecting in ${s.seconds} s… (attempt ${s.attempt})`;
    case 'closed':
      if (!s.error) return 'Disconnected';
      return `Error: ${s.error.message}${s.error.hint ? `. ${s.error.hint}` : ''}`;
  }
}

/**
 * The share of the screen the first update has covered: its complete rectangles' pixels, plus
 * the received share of a Raw rectangle (whose byte count its size fixes).
 */
export function progressFraction(p: FirstUpdateProgress): number {
  if (p.pixels === 0) return 0;
  const raw =
    p.rectBytes && p.rectBytes.needed > 0
      ? (p.rectBytes.pixels * p.rectBytes.received) / p.rectBytes.needed
      : 0;
  return Math.min(1, (p.pixelsDone + raw) / p.pixels);
}

function progressText(p: FirstUpdateProgress): string {
  const rects =
    p.rects === undefined ? `${p.rectsDone} rectangles` : `${p.rectsDone} of ${p.rects} rectangles`;
  const amount = p.rectBytes
    ? `${rects}, this one ${formatBytes(p.rectBytes.received)} of ${formatBytes(p.rectBytes.needed)}`
    : `${rects}, ${formatBytes(p.bytes)}`;
  return `Loading the first picture: ${Math.floor(progressFraction(p) * 100)} %, ${amount} at ${formatBitRate(p.bitsPerSecond)}`;
}

export function StatusLine({ tab }: { tab: Tab }) {
  const view = useTabView(tab.id);
  const phase = tab.status?.phase ?? 'connecting';
  const error = tab.status?.phase === 'closed' && tab.status.error;
  const progress = phase === 'connected' ? view.progress : undefined;
  const auto = phase === 'connected' && tab.quality === 'auto' ? view.auto : undefined;
  return (
    <div className="status-line">
      <div role="status" className={`status ${phase}${error ? ' failed' : ''}`}>
        {statusText(tab)}
      </div>
      {auto && (
        <div className="auto-line" role="note" aria-label="Auto picture quality">
          {auto}
        </div>
      )}
      {progress && (
        <div className="first-update">
          <progress
            aria-label="First picture"
            max={1000}
            value={Math.round(progressFraction(progress) * 1000)}
          />
          <span>{progressText(progress)}</span>
        </div>
      )}
    </div>
  );
}
