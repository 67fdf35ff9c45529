import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends the run with the plain line CI reads: "N passed, N failed[, N skipped]". A file or suite
 * that failed outside its tests (a beforeAll, an import) counts as one failure, so the line
 * never says 0 failed when the run failed.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<unknown>,
    reason: 'passed' | 'interrupted' | 'failed',
  ): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const module of modules) {
      let testsFailed = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') testsFailed++;
        else skipped++;
      }
      failed += testsFailed;
      if (testsFailed > 0) continue;
      const suiteFailed = [...module.children.allSuites()].some((suite) => suite.state() === 'failed');
      if (suiteFailed || module.state() === 'failed') failed++;
    }
    // A run that failed for a reason not counted above (no test files, say) is still a failure.
    if (reason !== 'passed' && failed === 0) failed = 1;
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
