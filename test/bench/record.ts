/**
 * `npm run bench:record`: records every benchmark recording again from a real Xvnc (each
 * content class with each encoding choice, see recordings.ts) into .tmp/bench/.
 *
 *   npm run bench:record [-- --4k] [-- --only video,office]
 */
import { parseArgs } from 'node:util';
import { allRecordings, CLASSES, ensureRecordings, FULL_HD, UHD } from './recordings.ts';

const { values } = parseArgs({ options: { '4k': { type: 'boolean' }, only: { type: 'string' } } });
const classes = values.only ? values.only.split(',').map((c) => c.trim()) : Object.keys(CLASSES);
for (const c of classes) {
  if (!(c in CLASSES))
    throw new Error(`--only: unknown content class "${c}"; known: ${Object.keys(CLASSES).join(', ')}`);
}
const recordings = allRecordings(values['4k'] ? [FULL_HD, UHD] : [FULL_HD]).filter((r) =>
  classes.includes(r.className),
);
await ensureRecordings(recordings, true);
process.stderr.write(`bench:record: ${recordings.length} recordings in .tmp/bench/\n`);
