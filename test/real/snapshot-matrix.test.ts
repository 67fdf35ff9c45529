import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from '../../main/cli/commands.ts';
import { parseEncodingList } from '../../main/cli/options.ts';
import type { ColourLevel } from '../../shared/colour-level.ts';
import { RfbError } from '../../shared/rfb-error.ts';
import { tempDir } from '../support/cli.ts';
import { comparePictures, reduceTruth } from '../support/colour-model.ts';
import { type ServerKind, startServer, type VncServer } from '../support/servers.ts';
import { type Image, readPng, sameImage } from '../support/truth.ts';

/**
 * The encodings each server really sends (QEMU: no CopyRect, RRE, CoRRE or TRLE; TigerVNC: no
 * CoRRE, Zlib or TRLE). Tight is lossless here: the viewer asks for no JPEG quality level.
 */
const ENCODINGS: Record<ServerKind, string[]> = {
  xvnc: ['raw', 'rre', 'hextile', 'zrle', 'tight'],
  x11vnc: ['raw', 'rre', 'corre', 'hextile', 'zlib', 'zrle', 'tight'],
  qemu: ['raw', 'hextile', 'zlib', 'zrle', 'tight'],
};
const LEVELS: ColourLevel[] = ['full', 'rgb565', 'rgb222', 'pal8'];
const PASSWORD = 'Pw0rd!42';

for (const kind of Object.keys(ENCODINGS) as ServerKind[]) {
  for (const security of ['none', 'vncauth'] as const) {
    describe(`${kind}, security ${security}`, () => {
      let server: VncServer;
      let truth: Image;
      const dir = tempDir();

      beforeAll(async () => {
        server = await startServer(kind, { security, password: PASSWORD });
        truth = await server.truth();
      });

      afterAll(async () => {
        // The picture must not have moved during the tests, or a comparison proved nothing.
        if (server) expect(sameImage(await server.truth(), truth)).toBe(true);
        await server?.stop();
      });

      for (const level of LEVELS) {
        for (const encoding of ENCODINGS[kind]) {
          it(`${encoding} at ${level} equals the server's picture`, async () => {
            const out = join(dir, `${encoding}-${level}.png`);
            const result = await snapshot(
              {
                target: server.target,
                password: server.password,
                encodings: parseEncodingList(encoding),
                colourLevel: level,
                timeoutSeconds: 20,
              },
              out,
            );
            expect(result.stats.rects[encoding], `the server sent ${encoding} rectangles`).toBeGreaterThan(0);
            const expected = reduceTruth(truth.data, level, kind);
            const { different, first } = comparePictures(readPng(out).data, expected, truth.width);
            expect(different, `${different} pixels differ; first at ${first}`).toBe(0);
          });
        }
      }

      if (security === 'vncauth') {
        it('a wrong password is an authentication error', async () => {
          const attempt = snapshot(
            {
              target: server.target,
              password: 'wrong',
              encodings: undefined,
              colourLevel: 'full',
              timeoutSeconds: 20,
            },
            join(dir, 'never.png'),
          );
          await expect(attempt).rejects.toBeInstanceOf(RfbError);
          await expect(attempt).rejects.toMatchObject({ kind: 'auth' });
        });
      }
    });
  }
}
