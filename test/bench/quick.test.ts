import { describe, expect, it } from 'vitest';
import { runCommand } from '../support/cli.ts';

/**
 * CI runs the benchmark's quick mode so it can never silently break again: a fresh short
 * recording of a real Xvnc (with Fence and continuous updates), decoded by Porthole, noVNC and
 * TigerVNC's vncviewer. Nothing about speed is asserted; every engine must end on the same picture.
 */
describe('npm run bench -- --quick', () => {
  it('plays a fresh Xvnc recording with Fence and continuous updates through every engine to the same picture', async () => {
    const { code, stdout, stderr } = await runCommand('npm', [
      'run',
      '--silent',
      'bench',
      '--',
      '--quick',
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const figures = JSON.parse(stdout);
    expect(figures.decode).toHaveLength(1);
    const [row] = figures.decode;
    // Server messages by type: FramebufferUpdate (0), EndOfContinuousUpdates (150), Fence (248).
    expect(row.serverMessages[0]).toBeGreaterThan(0);
    expect(row.serverMessages[150]).toBeGreaterThan(0);
    expect(row.serverMessages[248]).toBeGreaterThan(0);
    expect(row.pixels).toBeGreaterThan(0);
    expect(row.samePicture).toMatchObject({ novnc: true, vncviewer: true });
    expect(row.vncviewerError).toBeUndefined();
    for (const engine of ['porthole', 'novnc', 'vncviewerDecodeThreads'])
      expect(row.mpixelPerSec[engine], engine).toBeGreaterThan(0);
  }, 300_000);
});
