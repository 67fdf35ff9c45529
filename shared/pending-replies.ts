/**
 * Requests matched to their replies by id — the one way it is done: browser mode's control
 * calls over a WebSocket (the page's side) and a session process's password requests to
 * Electron's main. A reply with an id nobody waits for (late, repeated or forged) is ignored.
 */
export class PendingReplies<T> {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(value: T): void; reject(error: Error): void }>();

  /**
   * A new request id and the promise its reply settles. With `timeout`, the promise settles
   * with `timeout.value` if no reply has come after `timeout.ms`.
   */
  start(timeout?: { ms: number; value: T }): { id: number; reply: Promise<T> } {
    const id = this.nextId++;
    const reply = new Promise<T>((resolve, reject) => {
      const timer = timeout && setTimeout(() => this.resolve(id, timeout.value), timeout.ms);
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(id);
      };
      this.waiting.set(id, {
        resolve: (value) => {
          done();
          resolve(value);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
    });
    return { id, reply };
  }

  resolve(id: unknown, value: T): void {
    if (typeof id === 'number') this.waiting.get(id)?.resolve(value);
  }

  /** Settles a request with a call's reply: its result, or its error as an Error. */
  settle(reply: CallReply<T>): void {
    if ('error' in reply) {
      if (typeof reply.id === 'number') this.waiting.get(reply.id)?.reject(new Error(reply.error));
    } else this.resolve(reply.id, reply.result);
  }

  /** Fails every request still waiting (the other side went away). */
  rejectAll(error: Error): void {
    for (const call of [...this.waiting.values()]) call.reject(error);
  }
}

/** A call as JSON: `{id, name, params}` … */
export interface Call {
  id: number;
  name: string;
  params: unknown;
}

/** … answered by `{id, result}` or `{id, error}`. */
export type CallReply<T = unknown> = { id: number; result: T } | { id: number; error: string };

/** Runs `work` for the call `id` and sends its result or its error's message as the reply. */
export function answerCall(id: number, work: () => Promise<unknown>, send: (reply: CallReply) => void): void {
  Promise.resolve()
    .then(work)
    .then(
      (result) => send({ id, result }),
      (error: Error) => send({ id, error: error.message }),
    );
}
