import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTestPki } from '../support/certificates.ts';
import { tempDir } from '../support/cli.ts';
import { rsaAesCase, runHandshakeCases, tlsCase } from './handshakes.ts';

/*
 * Bounded fuzzing of the live handshakes (handshakes.ts): mutated RSA-AES streams and mutated
 * TLS records under VeNCrypt. FUZZ_SEED picks another run, FUZZ_SCALE=10 runs ten times the cases.
 */
const RUN_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 0x504f5254;
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const cases = (n: number) => Math.max(1, Math.round(n * SCALE));

describe('fuzzing the live handshakes', () => {
  const dir = tempDir('porthole-fuzz-tls-');

  it('mutated RSA-AES streams: every session ends cleanly, unmutated ones connect', async () => {
    const { failures, results } = await runHandshakeCases(RUN_SEED, cases(120), rsaAesCase);
    expect(failures).toEqual([]);
    // The mutations reach past the key exchange: some fail the integrity check of a message.
    expect([...results.keys()].some((r) => /integrity check/.test(r))).toBe(true);
    expect(results.get('network: the server closed the connection')).toBeGreaterThan(0);
  }, 300_000);

  it('mutated TLS records (VeNCrypt X509None): every session ends cleanly, unmutated ones connect', async () => {
    const pki = makeTestPki(join(dir, 'pki'));
    const { failures, results } = await runHandshakeCases(RUN_SEED, cases(80), (prng) => tlsCase(prng, pki));
    expect(failures).toEqual([]);
    expect([...results.keys()].some((r) => /TLS handshake/.test(r))).toBe(true);
  }, 300_000);
});
