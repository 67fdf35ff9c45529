import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultDataDir } from '../app/data-dir.ts';
import type { LaunchRegistry } from '../app/launches.ts';
import { startWebServer } from '../web/server.ts';
import { usageError } from './options.ts';

export const RENDERER_DIR = resolve(import.meta.dirname, '../../out/renderer');

/**
 * `porthole web`: serves the viewer to a browser on 127.0.0.1 and runs its sessions here.
 * Prints the address (with its token) as the first line, then serves until stopped.
 * With `launches` (`porthole connect`), the page opens those connections as it starts.
 */
export async function web(
  port: number,
  dataDir: string | undefined,
  launches?: LaunchRegistry,
): Promise<void> {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw usageError(
      `the viewer is not built (${RENDERER_DIR} is missing): run "npm run build" first, or use "npm run web"`,
    );
  }
  let server: Awaited<ReturnType<typeof startWebServer>>;
  try {
    server = await startWebServer({
      port,
      rendererDir: RENDERER_DIR,
      dataDir: dataDir ?? defaultDataDir(),
      launches,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw usageError(`port ${port} is in use: choose another with --port P (or 0 for any)`);
    throw error;
  }
  process.stdout.write(`${server.url}\n`);
  process.stderr.write(
    'porthole: serving the viewer on 127.0.0.1 only; open the address above. Ctrl+C stops.\n',
  );
  await new Promise<void>((done) => {
    const stop = () => void server.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
