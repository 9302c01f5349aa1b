// A console client whose answers the test scripts, method by method, with a log of the calls
// made. For the controller's tests: what the console says is the input, what the operator asks
// of it is part of the expected behaviour. The HTTP client itself is tested against a real
// in-process server (test/unit/rainbond/), never through this.
import type { RainbondClient } from '../../src/rainbond/client.ts';

/** The calls a RainbondClient makes (every method but close). */
export type ConsoleMethod = Exclude<keyof RainbondClient, 'close'>;
type Args<M extends ConsoleMethod> = Parameters<RainbondClient[M]>;
type Answer<M extends ConsoleMethod> = Awaited<ReturnType<RainbondClient[M]>>;

/** How the console answers one call. */
export type Reply<M extends ConsoleMethod> =
  | { answer: Answer<M> }
  | { fail: Error }
  | { compute: (...args: Args<M>) => Answer<M> | Promise<Answer<M>> };

/** The console answers with `value`. */
export const answer = <T>(value: T): { answer: T } => ({ answer: value });
/** The console call fails with `error` (a RainbondError, see console-errors.ts). */
export const fail = (error: Error): { fail: Error } => ({ fail: error });
/** The answer depends on the call's arguments (or on what the test changed meanwhile). */
export const compute = <M extends ConsoleMethod>(
  fn: (...args: Args<M>) => Answer<M> | Promise<Answer<M>>,
): { compute: typeof fn } => ({ compute: fn });

/**
 * For each method the test expects to be called, its replies in order; the last one repeats, so
 * one reply answers every call. A method left out is not expected: calling it fails loudly.
 */
export type ConsoleScript = { [M in ConsoleMethod]?: Reply<M>[] };

export interface ConsoleCall {
  method: ConsoleMethod;
  /** The arguments after the token (the token is in `token`), without the abort signal. */
  args: unknown[];
  /** '' for a call made without a token (readRelease). */
  token: string;
}

export interface ScriptedConsole extends RainbondClient {
  /** Every call made, in order, unscripted ones included. */
  readonly calls: ConsoleCall[];
  /** The names of the methods called, in order: the shortest way to assert the conversation. */
  methods(): ConsoleMethod[];
  /** The calls made to one method. */
  callsTo(method: ConsoleMethod): ConsoleCall[];
  /** Calls to methods the script left out (each also threw UnscriptedCallError). */
  readonly unscripted: ConsoleCall[];
  /** Replaces the replies of one method from now on (a console whose behaviour changes). */
  script<M extends ConsoleMethod>(method: M, ...replies: Reply<M>[]): void;
}

/** A call the script did not expect. Code under test may catch it, so `unscripted` keeps it too. */
export class UnscriptedCallError extends Error {
  readonly code = 'UNSCRIPTED_CONSOLE_CALL';
  constructor(method: string) {
    super(`unexpected console call ${method}: the test's script does not expect it`);
    this.name = 'UnscriptedCallError';
  }
}

const METHODS: readonly ConsoleMethod[] = [
  'listCopyableComponents',
  'copyApp',
  'listComponents',
  'getComponent',
  'listComponentEvents',
  'putComponentEnvs',
  'operateComponents',
  'deleteComponent',
  'listTeams',
  'readRelease',
];

/** The calls made without a token (the console's unauthenticated views): logged with token ''. */
const TOKENLESS: ReadonlySet<ConsoleMethod> = new Set(['readRelease']);

export function createScriptedConsole(script: ConsoleScript = {}): ScriptedConsole {
  const replies = new Map<ConsoleMethod, Reply<ConsoleMethod>[]>(
    Object.entries(script).map(([m, r]) => [m as ConsoleMethod, [...(r as Reply<ConsoleMethod>[])]]),
  );
  const calls: ConsoleCall[] = [];
  const unscripted: ConsoleCall[] = [];

  async function call(method: ConsoleMethod, token: string, rest: unknown[]): Promise<unknown> {
    // The abort signal is the client's business, not what was asked of the console.
    const args = rest.filter((a) => !(a instanceof AbortSignal));
    const made: ConsoleCall = { method, args: structuredClone(args), token };
    calls.push(made);
    const queue = replies.get(method);
    const reply = queue && queue.length > 1 ? queue.shift() : queue?.[0];
    if (!reply) {
      unscripted.push(made);
      throw new UnscriptedCallError(method);
    }
    if ('fail' in reply) throw reply.fail;
    if ('compute' in reply) {
      const computed = reply.compute as (...a: unknown[]) => unknown;
      return structuredClone(await (TOKENLESS.has(method) ? computed(...rest) : computed(token, ...rest)));
    }
    return structuredClone(reply.answer);
  }

  const client = Object.fromEntries(
    METHODS.map((method) => [
      method,
      TOKENLESS.has(method)
        ? (...rest: unknown[]) => call(method, '', rest)
        : (token: string, ...rest: unknown[]) => call(method, token, rest),
    ]),
  ) as unknown as Omit<RainbondClient, 'close'>;

  return {
    ...client,
    close: () => {},
    calls,
    unscripted,
    methods: () => calls.map((c) => c.method),
    callsTo: (method) => calls.filter((c) => c.method === method),
    script(method, ...next) {
      replies.set(method, [...next] as Reply<ConsoleMethod>[]);
    },
  };
}
