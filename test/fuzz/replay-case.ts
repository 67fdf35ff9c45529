// Replays a failing fuzz case saved in .tmp/fuzz-failures, through every check that takes a stream:
//   npx tsx test/fuzz/replay-case.ts .tmp/fuzz-failures/case-0x1234abcd.json
// (a saved .fbs case replays with `node bin/porthole.js replay FILE`).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CaseSummary, replaySaved, runChunkingCase, runPrng, type SavedCase } from './cases.ts';
import { runRoundTrip } from './fbs-fuzz.ts';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: npx tsx test/fuzz/replay-case.ts SAVED-CASE.json\n');
  process.exit(2);
}
const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedCase;
const seed = Number(saved.caseSeed);
const bytes = new Uint8Array(Buffer.from(saved.bytesBase64, 'base64'));
const scratch = mkdtempSync(join(tmpdir(), 'porthole-replay-'));

const checks: [string, () => CaseSummary][] = [
  [`as fuzzed (${saved.chunking} chunks)`, () => replaySaved(saved)],
  [
    'whole, random pieces and byte by byte',
    () => runChunkingCase({ label: saved.label, input: { ...saved, bytes, apiCalls: false } }, seed),
  ],
  [
    'recorded, then replayed',
    () => runRoundTrip(bytes, { ...saved.options, limits: undefined }, runPrng(seed), join(scratch, 'r.fbs')),
  ],
];
process.stdout.write(`${saved.caseSeed}: ${saved.label}\n`);
let failed = false;
for (const [what, check] of checks) {
  const { problems, error } = check();
  failed ||= problems.length > 0;
  process.stdout.write(
    `\n${what}: ${error ? `${error.kind} error ${JSON.stringify(error.message)}` : 'no error'}\n`,
  );
  for (const p of problems) process.stdout.write(`  PROBLEM ${p}\n`);
}
rmSync(scratch, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
