import type { ConnectionInfo } from '../../../shared/session-protocol.ts';
import { Dialog } from './Dialog.tsx';
import { formatBytes } from './units.ts';

/** Connection info (as TigerVNC's dialog): what the session knows about the server and the link. */
export function ConnectionInfoDialog(props: {
  info: ConnectionInfo | undefined;
  onRefresh(): void;
  onClose(): void;
}) {
  const info = props.info;
  const rows: [string, string][] = info
    ? [
        ['Desktop name', info.name || '(none)'],
        ['Address', info.address],
        ['Protocol', info.version],
        ['Security', info.security],
        ['Pixel format', info.pixelFormat],
        [
          'Encodings in use',
          Object.entries(info.encodings)
            .sort((a, b) => b[1] - a[1])
            .map(([name, count]) => `${name} (${count.toLocaleString('en')} rectangles)`)
            .join(', ') || 'none yet',
        ],
        ['Desktop size', `${info.width}×${info.height}`],
        ['Received', `${formatBytes(info.bytesReceived)} in ${info.updates.toLocaleString('en')} updates`],
        ['Round trip', info.roundTripMs === undefined ? 'not measured' : `${info.roundTripMs} ms`],
      ]
    : [];
  return (
    <Dialog title="Connection info" onClose={props.onClose}>
      {info ? (
        <dl className="connection-info">
          {rows.map(([term, value]) => (
            <div key={term}>
              <dt>{term}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p>Asking the session…</p>
      )}
      <div className="row end">
        <button type="button" onClick={props.onRefresh}>
          Update
        </button>
        <button type="button" data-autofocus onClick={props.onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
