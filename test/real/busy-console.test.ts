import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RfbSession } from '../../main/rfb/session.ts';
import { openTcpSession } from '../../main/rfb/transports/tcp.ts';
import { runPorthole, tempDir } from '../support/cli.ts';
import { startServer, stopAllServers, waitFor } from '../support/servers.ts';

afterAll(() => stopAllServers());

describe('a console another viewer holds', () => {
  it('the second viewer is told what the drop after ClientInit usually means', async () => {
    const server = await startServer('x11vnc', { security: 'none', exclusive: true, geometry: [640, 480] });
    // The first viewer, like virt-manager holding a VM's console.
    const first = openTcpSession(server.host, server.port, { colourLevel: 'full' }, {});
    let holder: RfbSession | undefined = first.session;
    try {
      await waitFor('the first viewer to connect', 10_000, async () =>
        holder?.state === 'connected' ? true : undefined,
      );
      const r = await runPorthole(['snapshot', server.target, join(tempDir(), 'x.png'), '--timeout', '10']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/closed the connection before sending any picture/);
      expect(r.stderr).toMatch(/another viewer .* holds the console/);
      expect(holder.state).toBe('connected');
    } finally {
      holder.close();
      holder = undefined;
    }
  });
});
