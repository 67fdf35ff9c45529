import type { ParentPort } from 'electron';
import { KnownHostsStore } from '../app/known-hosts-store.ts';
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
  // main passes the data directory as the one argument (session-processes.ts).
  const dataDir = process.argv[process.argv.length - 1];
  const knownHosts = new KnownHostsStore(dataDir);
  serveSessionPort(
    parentPort,
    (channel) => runSessionHost(channel, { lookupPassword, knownHosts }),
    (code) => process.exit(code),
  );
} else {
  console.error('porthole: session-process.js runs only as an Electron utility process');
  process.exit(1);
}
