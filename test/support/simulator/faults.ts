// Fault injection per route. A fault either delays a call (latency, which composes with any
// other fault) or decides its outcome: refused before anything happened (error/reset/garbage
// "before effect", and the console's own transient answers: back-pressure,
// insufficient-resources, invalid-license), or answered badly after the console did the work
// (error, timeout, reset, garbage "after effect"), or, for an unknown console version only, a
// copy that stops part-way. A fault fires on every matching call,
// or `times` times, or with a `probability` drawn from a seeded PRNG so a run replays exactly.
import { z } from 'zod';
import { createPrng, type Prng } from './prng.ts';
import { ROUTE_NAMES, type RouteName } from './routes.ts';

export const FAULT_KINDS = [
  'latency',
  'error-before-effect',
  'error-after-effect',
  'back-pressure',
  'insufficient-resources',
  'invalid-license',
  'timeout-after-effect',
  'reset-before-effect',
  'reset-after-effect',
  'partial-effect-unknown-version',
  'non-json',
  'truncated',
  'empty-body',
  'huge-body',
  'slow-drip',
  'wrong-types',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

const common = {
  route: z.enum(ROUTE_NAMES),
  /** Fire this many times, then the fault is removed. Absent: every matching call. */
  times: z.number().int().positive().optional(),
  /** Chance that a matching call is hit, drawn from the seeded PRNG. Absent: always. */
  probability: z.number().min(0).max(1).optional(),
};
const httpStatus = z.number().int().min(400).max(599);
const effect = z.enum(['before', 'after']);

export const faultSpecSchema = z
  .discriminatedUnion('kind', [
    /** Delays the call by `ms` of real time before it is handled. */
    z.strictObject({ ...common, kind: z.literal('latency'), ms: z.number().int().nonnegative() }),
    /**
     * Answers `status` before anything happened: the console's copy is one transaction, so an
     * error raised inside it leaves nothing. Without `body`, a 500 is the console's 500 body
     * (code 10401, traceback in msg_show); other statuses get an envelope. Without `times` it
     * is a deterministic error, answered the same way every time.
     */
    z.strictObject({
      ...common,
      kind: z.literal('error-before-effect'),
      status: httpStatus.default(500),
      body: z.unknown().optional(),
    }),
    /**
     * The call takes effect (the copy commits), then the answer is `status`: like the
     * gateway-rule lookup that runs after the copy's transaction in
     * goodrain/rainbond-console:openapi/views/groupapp.py@ae3f1618 raising. Body as above.
     */
    z.strictObject({
      ...common,
      kind: z.literal('error-after-effect'),
      status: httpStatus.default(500),
      body: z.unknown().optional(),
    }),
    /**
     * The region pushed back before anything happened: 409
     * {"code":409,"msg":"wait a moment please","msg_show":"操作过于频繁，请稍后再试"}
     * (goodrain/rainbond-console:console/views/base.py@ae3f1618, CallApiFrequentError). Transient.
     */
    z.strictObject({ ...common, kind: z.literal('back-pressure') }),
    /**
     * The cluster lacks memory, before anything happened: 412 code 10406 "cluster lack of memory"
     * (goodrain/rainbond-console:console/exception/main.py@ae3f1618, ErrClusterLackOfMemory,
     * raised by www/apiclient/regionapibaseclient.py on the region's 412). Transient.
     */
    z.strictObject({ ...common, kind: z.literal('insufficient-resources') }),
    /**
     * The region's licence is invalid, before anything happened: 401
     * {"code":10400,"msg":"invalid license","msg_show":"license不正确或已过期"}
     * (goodrain/rainbond-console:console/views/base.py@ae3f1618, InvalidLicenseError). Not a token problem.
     */
    z.strictObject({ ...common, kind: z.literal('invalid-license') }),
    /** The call takes effect, then no answer ever comes: the socket stays open until the client gives up. */
    z.strictObject({ ...common, kind: z.literal('timeout-after-effect') }),
    /** The connection is reset (TCP RST) before anything happens. */
    z.strictObject({ ...common, kind: z.literal('reset-before-effect') }),
    /** The call takes effect, then the connection is reset instead of answered. */
    z.strictObject({ ...common, kind: z.literal('reset-after-effect') }),
    /**
     * Copy only, and only for an unknown console version: creates the first `created`
     * components, keeps them, then answers 500. The console this project reads never does this
     * (goodrain/rainbond-console:console/services/groupcopy_service.py@ae3f1618 copies under
     * @transaction.atomic); it models a console whose copy is not one transaction.
     */
    z.strictObject({
      ...common,
      kind: z.literal('partial-effect-unknown-version'),
      created: z.number().int().nonnegative().default(1),
    }),
    /** An HTML page instead of JSON: an nginx error page, or the console's web UI for 200. */
    z.strictObject({
      ...common,
      kind: z.literal('non-json'),
      status: z.number().int().min(200).max(599).default(502),
      effect: effect.default('after'),
    }),
    /** The call takes effect; the JSON body is cut after half. `abort` also drops the connection mid-body. */
    z.strictObject({
      ...common,
      kind: z.literal('truncated'),
      mode: z.enum(['clean', 'abort']).default('clean'),
    }),
    /** A status with an empty body. */
    z.strictObject({
      ...common,
      kind: z.literal('empty-body'),
      status: z.number().int().min(200).max(599).default(200),
      effect: effect.default('after'),
    }),
    /** The call takes effect; the body is valid JSON padded to at least `bytes`. */
    z.strictObject({
      ...common,
      kind: z.literal('huge-body'),
      bytes: z
        .number()
        .int()
        .positive()
        .default(8 * 1024 * 1024),
    }),
    /** The call takes effect; the body trickles out `chunkBytes` every `intervalMs` (real time). */
    z.strictObject({
      ...common,
      kind: z.literal('slow-drip'),
      chunkBytes: z.number().int().positive().default(16),
      intervalMs: z.number().int().nonnegative().default(200),
    }),
    /** The call takes effect; the body is JSON with every value of the wrong type. */
    z.strictObject({ ...common, kind: z.literal('wrong-types') }),
  ])
  .superRefine((spec, ctx) => {
    if (spec.kind === 'partial-effect-unknown-version' && spec.route !== 'copy') {
      ctx.addIssue({
        code: 'custom',
        path: ['route'],
        message: 'partial-effect-unknown-version only applies to the copy route',
      });
    }
  });

export type FaultSpec = z.input<typeof faultSpecSchema>;
export type Fault = z.output<typeof faultSpecSchema>;
export type OutcomeFault = Exclude<Fault, { kind: 'latency' }>;

export interface ActiveFault {
  id: string;
  spec: Fault;
  /** Remaining hits when `times` was given. */
  remaining: number | undefined;
  /** How many calls it has hit so far. */
  hits: number;
}

export interface FaultDraw {
  /** Total latency of the latency faults that fired. */
  latencyMs: number;
  /** The first outcome fault that fired, if any. */
  outcome: OutcomeFault | null;
}

/** A fault spec that does not match the schema. */
export class FaultSpecError extends Error {
  readonly code = 'SIMULATOR_FAULT_INVALID';
}

export class FaultInjector {
  #faults: ActiveFault[] = [];
  #prng: Prng;
  #seq = 0;

  constructor(seed = 1) {
    this.#prng = createPrng(seed);
  }

  /** Restarts the PRNG, so the same sequence of calls meets the same faults again. */
  reseed(seed: number): void {
    this.#prng = createPrng(seed);
  }

  /** Adds a fault after the others; returns its id. Throws FaultSpecError on a bad spec. */
  add(spec: FaultSpec): string {
    const parsed = faultSpecSchema.safeParse(spec);
    if (!parsed.success) {
      throw new FaultSpecError(`invalid fault: ${z.prettifyError(parsed.error).replaceAll('\n', '; ')}`);
    }
    this.#seq += 1;
    const id = `fault-${this.#seq}`;
    this.#faults.push({ id, spec: parsed.data, remaining: parsed.data.times, hits: 0 });
    return id;
  }

  remove(id: string): boolean {
    const before = this.#faults.length;
    this.#faults = this.#faults.filter((f) => f.id !== id);
    return this.#faults.length !== before;
  }

  clear(): void {
    this.#faults = [];
  }

  list(): readonly ActiveFault[] {
    return this.#faults;
  }

  /**
   * Decides the faults for one call to `route`: every latency fault that fires adds up, and the
   * first outcome fault (in the order added) that fires is applied. Faults that fire use up one
   * of their `times`; a fault whose chance is not rolled (because an earlier outcome fault
   * already fired) is left untouched, so the PRNG sequence depends only on the calls made.
   */
  draw(route: RouteName): FaultDraw {
    let latencyMs = 0;
    let outcome: OutcomeFault | null = null;
    for (const fault of [...this.#faults]) {
      if (fault.spec.route !== route) continue;
      const isLatency = fault.spec.kind === 'latency';
      if (!isLatency && outcome) continue;
      if (fault.spec.probability !== undefined && this.#prng() >= fault.spec.probability) continue;
      fault.hits += 1;
      if (fault.remaining !== undefined) {
        fault.remaining -= 1;
        if (fault.remaining <= 0) this.remove(fault.id);
      }
      if (fault.spec.kind === 'latency') latencyMs += fault.spec.ms;
      else outcome = fault.spec;
    }
    return { latencyMs, outcome };
  }
}
