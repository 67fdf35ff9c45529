import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENCODINGS, encodingName } from '../../main/rfb/constants.ts';
import { ENCODING_NAMES } from '../../shared/encodings.ts';

const readme = readFileSync('README.md', 'utf8');
const ciRun = readFileSync('.ci/run', 'utf8');

/** The shell blocks of the README, in order. */
const shellBlocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1].trim());

describe('README stays true', () => {
  it('has the two commands: install-and-start, then install-and-test', () => {
    expect(shellBlocks[0]).toBe('npm install && npm start');
    expect(shellBlocks[1]).toMatch(/npm ci && npm test$/);
  });

  it('.ci/run runs the README test command exactly', () => {
    const lines = ciRun.split('\n').map((l) => l.trim());
    expect(lines).toContain(shellBlocks[1]);
  });

  it('gives every dependency a row with its reason in the dependency table', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    const names = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)].filter(
      (n) => !n.startsWith('@types/'),
    );
    const table = readme.slice(readme.indexOf('## Dependencies'), readme.indexOf('## Benchmarks'));
    // The first cell of each row names one or more packages, separated by commas.
    const listed = new Set(
      [...table.matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) =>
        m[1]
          .replace(/\(.*\)|\s\d[\d.]*/g, '')
          .split(',')
          .map((n) => n.trim()),
      ),
    );
    for (const name of names) expect(listed.has(name), `README dependency table row for ${name}`).toBe(true);
  });

  it('names every encoding the CLI takes and the default order the engine uses', () => {
    const listed = /preference: `([^`]+)`/.exec(readme)?.[1].split(', ');
    expect(listed?.sort()).toEqual([...ENCODING_NAMES].sort());
    const order = /default order is `([^`]+)`/.exec(readme)?.[1];
    expect(order).toBe(DEFAULT_ENCODINGS.map(encodingName).join(', '));
  });
});
