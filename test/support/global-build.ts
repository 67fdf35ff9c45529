import { runRendererBuild } from './browser.ts';

/**
 * Vitest globalSetup: builds main, preload and renderer into out/ once per test run, so the
 * end-to-end tests serve the renderer of the code under test.
 */
export default function setup(): void {
  runRendererBuild();
}
