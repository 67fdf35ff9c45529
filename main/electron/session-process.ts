import type { ParentPort } from 'electron';
import { SESSION_DATA_DIR_ARGUMENT } from '../../shared/ipc.ts';
import { CertificatePinStore } from '../app/pin-store.ts';
import { runSessionHost } from '../session/session-host.ts';
import { lookupOverParent } from './password-requests.ts';
import { serveSessionPort } from './port-channel.ts';

/**
 * The entry of a session's utility process (out/main/session-process.js): one RFB connection,
 * off the main process, talking to the renderer over the MessagePort main handed over.
 */
const parentPort: ParentPort | undefined = process.parentPort;
if (parentPort) {
  const lookupPassword = lookupOverParent(parentPort);
  // Pins live in the app's data directory, which main names on the command line.
  const at = process.argv.indexOf(SESSION_DATA_DIR_ARGUMENT);
  const pins = at < 0 ? undefined : new CertificatePinStore(process.argv[at + 1]);
  serveSessionPort(
    parentPort,
    (channel) => runSessionHost(channel, { lookupPassword, ...(pins && { pins }) }),
    (code) => process.exit(code),
  );
} else {
  console.error('porthole: session-process.js runs only as an Electron utility process');
  process.exit(1);
}
