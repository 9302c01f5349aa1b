// One HTTP exchange with the console, over keep-alive agents by default: got with retries,
// redirects and status errors all off, so every attempt is exactly one request and the caller
// classifies what came back. Failures come out as facts (see classify-failure.ts) with the token redacted.

import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import got, { RequestError, TimeoutError, type Timings } from 'got';
import { USER_AGENT } from '../user-agent.ts';
import type { Failure, Stage } from './classify-failure.ts';

export interface HttpTransportOptions {
  /** Extra CA certificates (PEM) trusted besides the default ones; verification is always on. */
  ca?: string | Buffer | undefined;
  /** The largest answer body read; a larger one fails the call instead of filling the heap. */
  maxResponseBytes: number;
}

export interface OutgoingRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: URL;
  /**
   * Sent as is in `Authorization` (no `Bearer ` prefix); surrounding whitespace is trimmed.
   * Absent for the console's few views without authentication (its release): no header at all.
   */
  token?: string;
  json?: unknown;
  timeoutMs: number;
  /**
   * Use a new connection instead of a kept-alive one. A kept-alive socket the server closed while
   * idle fails the next request after it was written, which for the copy would be a spurious
   * unknown outcome; the copy is rare and slow, so it pays for its own connection.
   */
  freshConnection?: boolean;
  signal?: AbortSignal | undefined;
}

export type Exchange =
  | { type: 'answer'; status: number; location: string | undefined; bodyText: string }
  | { type: 'failure'; failure: Failure };

export interface HttpTransport {
  /** Sends one request; resolves with the answer or the facts of the failure, never rejects. */
  send(request: OutgoingRequest): Promise<Exchange>;
  /** Destroys the keep-alive agents and their sockets; later sends fail as not sent. */
  close(): void;
}

const REDACTED = '[redacted]';

export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const tlsOptions =
    options.ca === undefined ? {} : { ca: [...tls.getCACertificates('default'), options.ca] };
  const keptAlive = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true, ...tlsOptions }),
  };
  const fresh = {
    http: new http.Agent({ keepAlive: false }),
    https: new https.Agent({ keepAlive: false, ...tlsOptions }),
  };
  let closed = false;

  async function send(request: OutgoingRequest): Promise<Exchange> {
    const token = request.token?.trim();
    const host = request.url.host;
    const tokenProblem = token === undefined ? undefined : problemWithToken(token);
    if (tokenProblem !== undefined) {
      return { type: 'failure', failure: { type: 'unusable-token', problem: tokenProblem } };
    }
    if (closed) {
      return {
        type: 'failure',
        failure: {
          type: 'transport',
          code: 'ERR_CLIENT_CLOSED',
          stage: 'before-connection',
          host,
          detail: 'the client is closed',
        },
      };
    }
    const redact = (text: string) => (token === undefined ? text : text.split(token).join(REDACTED));
    const tooLarge = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, tooLarge.signal]) : tooLarge.signal;
    const limit = options.maxResponseBytes;

    try {
      const pending = got(request.url, {
        method: request.method,
        headers: {
          ...(token === undefined ? {} : { authorization: token }),
          accept: 'application/json',
          'user-agent': USER_AGENT,
        },
        ...(request.json === undefined ? {} : { json: request.json }),
        responseType: 'buffer',
        throwHttpErrors: false,
        followRedirect: false,
        retry: { limit: 0 },
        timeout: { request: request.timeoutMs },
        agent: request.freshConnection ? fresh : keptAlive,
        http2: false,
        signal,
      });
      pending.on('downloadProgress', (progress) => {
        if (progress.transferred > limit || (progress.total !== undefined && progress.total > limit)) {
          tooLarge.abort();
        }
      });
      const response = await pending;
      const location = response.headers.location;
      return {
        type: 'answer',
        status: response.statusCode,
        location: typeof location === 'string' ? redact(location) : undefined,
        bodyText: redact(new TextDecoder().decode(response.body)),
      };
    } catch (error) {
      const failure = describeFailure(error, {
        host,
        https: request.url.protocol === 'https:',
        timeoutMs: request.timeoutMs,
        tooLarge: tooLarge.signal.aborted
          ? `the answer is larger than the limit of ${limit} bytes`
          : undefined,
      });
      return { type: 'failure', failure: redactFailure(failure, redact) };
    }
  }

  return {
    send,
    close() {
      closed = true;
      for (const agent of [keptAlive.http, keptAlive.https, fresh.http, fresh.https]) agent.destroy();
    },
  };
}

/** Why a token cannot go into a header, if it cannot (empty, or characters Node refuses). */
function problemWithToken(token: string): string | undefined {
  if (token === '') return 'it is empty';
  // Header values allow tab, visible ASCII and obs-text; anything else would be refused by Node.
  if (/[^\t\x20-\x7e\x80-\xff]/.test(token)) return 'it contains characters not allowed in an HTTP header';
  return undefined;
}

interface FailureContext {
  host: string;
  https: boolean;
  timeoutMs: number;
  tooLarge: string | undefined;
}

/** The facts of a failed exchange, from got's error and its timings. */
function describeFailure(error: unknown, context: FailureContext): Failure {
  if (!(error instanceof RequestError)) {
    const detail = error instanceof Error ? error.message : String(error);
    return { type: 'transport', code: 'ERR_UNKNOWN', stage: 'connected', host: context.host, detail };
  }
  const underlying = error.cause instanceof Error ? error.cause : error;
  const detail = context.tooLarge ?? underlying.message;
  const status = error.response?.statusCode;
  if (status !== undefined) {
    // The status line arrived, so the console's decision is known even though its body is not.
    if (status >= 200 && status < 300) {
      return { type: 'unreadable', status, problem: `${detail} (${error.code})` };
    }
    return { type: 'status', status, bodyText: undefined };
  }
  return {
    type: 'transport',
    code: error.code,
    stage: stageOf(error.timings, context.https),
    host: context.host,
    detail,
    // Only got's own request timeout has a known length; a caller's timeout signal has its own.
    ...(error instanceof TimeoutError && error.event === 'request' ? { timeoutMs: context.timeoutMs } : {}),
  };
}

/** How far the request got: the boundary between "provably not sent" and "may have arrived". */
export function stageOf(timings: Timings | undefined, https: boolean): Stage {
  if (timings === undefined) return 'before-connection';
  if (timings.upload !== undefined) return 'sent';
  const ready = https ? timings.secureConnect : timings.connect;
  return ready === undefined ? 'before-connection' : 'connected';
}

function redactFailure(failure: Failure, redact: (text: string) => string): Failure {
  switch (failure.type) {
    case 'transport':
      return { ...failure, detail: redact(failure.detail) };
    case 'unreadable':
      return { ...failure, problem: redact(failure.problem) };
    default:
      return failure;
  }
}
