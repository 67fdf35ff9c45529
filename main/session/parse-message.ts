import * as v from 'valibot';
import { type ToSession, ToSessionSchema } from '../../shared/session-protocol.ts';

/**
 * Checks a message from the viewer against the contract (`ToSessionSchema`). The viewer is our
 * own code, but a session trusts nothing it did not make: anything malformed is dropped
 * (undefined), unknown fields are left out.
 */
export function parseToSession(raw: unknown): ToSession | undefined {
  const result = v.safeParse(ToSessionSchema, raw);
  return result.success ? result.output : undefined;
}
