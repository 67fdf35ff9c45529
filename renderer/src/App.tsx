import type { PortholeApi } from '../../shared/ipc.ts';

declare global {
  interface Window {
    porthole?: PortholeApi;
  }
}

/** The application shell. The connect screen and the session view build on it. */
export function App() {
  const versions = window.porthole?.versions;
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 24 }}>
      <h1>Porthole</h1>
      <p>A VNC viewer for virtual machines and remote desktops.</p>
      {versions && (
        <p>
          Electron {versions.electron}, Chromium {versions.chrome}, Node {versions.node}
        </p>
      )}
    </main>
  );
}
