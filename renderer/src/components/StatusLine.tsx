import type { Tab } from '../state/store.ts';

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
    case 'ssh':
      return s.prompt.kind === 'host-key'
        ? 'Unknown SSH host key: trust it?'
        : `SSH ${s.prompt.kind} required`;
    case 'connected':
      return `Connected to ${tab.desktopName || s.name || tab.target} (${tab.width}×${tab.height})${s.via ? ` via ${s.via}` : ''}${s.safeMode ? ` — ${s.safeMode}` : ''}`;
    case 'reconnecting':
      return `Connection lost: ${s.error.message}. Reconnecting in ${s.seconds} s… (attempt ${s.attempt})`;
    case 'closed':
      if (!s.error) return 'Disconnected';
      return `Error: ${s.error.message}${s.error.hint ? `. ${s.error.hint}` : ''}`;
  }
}

export function StatusLine({ tab }: { tab: Tab }) {
  const phase = tab.status?.phase ?? 'connecting';
  const error = tab.status?.phase === 'closed' && tab.status.error;
  return (
    <div role="status" className={`status ${phase}${error ? ' failed' : ''}`}>
      {statusText(tab)}
    </div>
  );
}
