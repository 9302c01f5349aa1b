// The Rainbond console's OpenAPI, one function per endpoint the operator uses. Each call is one
// HTTP request (no retries: the work queue owns retries), answers are parsed with zod into domain
// types, and every failure is a RainbondError typed by what the caller must do next.
//
// Invalid arguments (an empty id, a non-integer app id) are programming errors: they reject with
// a TypeError before anything is sent. Everything else that fails is a RainbondError.

import type { z } from 'zod';
import { classifyFailure } from './classify-failure.ts';
import { toCopyRequestBody } from './copy-request-body.ts';
import {
  RainbondError,
  RainbondNotSentError,
  RainbondOutcomeUnknownError,
  RainbondRejectedError,
  RainbondUnauthorizedError,
  RainbondUnavailableError,
} from './errors.ts';
import { createHttpTransport, type OutgoingRequest } from './http-transport.ts';
import { describeRoute, type RouteName } from './routes.ts';
import {
  componentDetailSchema,
  componentEnvsSchema,
  componentEventsSchema,
  componentListSchema,
  consoleInfoSchema,
  copyAnswerSchema,
  copyableComponentListSchema,
  describeSchemaMismatch,
  operationAnswerSchema,
  parseJson,
  teamListSchema,
} from './schemas.ts';
import type {
  AppRef,
  Component,
  ComponentAction,
  ComponentDetail,
  ComponentEnv,
  ComponentEvent,
  CopyableComponent,
  CopyRequest,
} from './types.ts';

export type { RouteName } from './routes.ts';

/** How a call ended, as a metric label: success or the class of the error it threw. */
export type CallOutcome =
  | 'success'
  | 'rejected'
  | 'unauthorized'
  | 'unavailable'
  | 'outcome_unknown'
  | 'not_sent';

/** One finished call, for metrics. `route` is a fixed name, never a URL with ids. */
export interface ResponseEvent {
  route: RouteName;
  outcome: CallOutcome;
  durationMs: number;
}

export interface RainbondClientOptions {
  /** The console's address, e.g. http://rainbond-console:7070 (without /openapi/v1). */
  baseUrl: string;
  /** Timeout of the copy call, which the console answers slowly (minutes by default at the config layer). */
  copyTimeoutMs: number;
  /** Timeout of every other call. */
  requestTimeoutMs: number;
  /** An extra CA (PEM) for HTTPS consoles, trusted besides the default ones; verification is always on. */
  ca?: string | Buffer;
  /** Called once per call that sent (or tried to send) a request; must not throw (a throw is ignored). */
  onResponse?: (event: ResponseEvent) => void;
  /** The largest answer body read, in bytes (default 16 MiB); a larger one fails the call. */
  maxResponseBytes?: number;
  /** Where this console's CA is set, named by messages about an untrusted certificate. */
  caSetting?: string;
}

export interface RainbondClient {
  /** GET .../apps/{app_id}/copy: the source app's copyable components (the copy's pre-flight). */
  listCopyableComponents(token: string, source: AppRef, signal?: AbortSignal): Promise<CopyableComponent[]>;
  /** POST .../apps/{app_id}/copy, exactly once: the components it created. Not idempotent. */
  copyApp(token: string, source: AppRef, request: CopyRequest, signal?: AbortSignal): Promise<Component[]>;
  /** GET .../apps/{app_id}/services: the app's components with their live status. */
  listComponents(token: string, app: AppRef, signal?: AbortSignal): Promise<Component[]>;
  /**
   * GET .../apps/{app_id}/services/{service_id}: one component with its access_infos, which only
   * this view fills in (404 -> RainbondRejectedError).
   */
  getComponent(token: string, app: AppRef, serviceId: string, signal?: AbortSignal): Promise<ComponentDetail>;
  /** GET .../apps/{app_id}/services/{service_id}/events: the component's latest events, newest first. */
  listComponentEvents(
    token: string,
    app: AppRef,
    serviceId: string,
    signal?: AbortSignal,
  ): Promise<ComponentEvent[]>;
  /**
   * PUT .../apps/{app_id}/services/{service_id}/envs: updates the named variables (by name) or
   * adds them, and answers every variable of the component; `[]` changes nothing and reads them
   * (the console's OpenAPI has no GET for a component's variables).
   */
  putComponentEnvs(
    token: string,
    app: AppRef,
    serviceId: string,
    envs: ComponentEnv[],
    signal?: AbortSignal,
  ): Promise<ComponentEnv[]>;
  /** POST .../apps/{app_id}/operations. An empty `serviceIds` sends nothing (the console would act on every component). */
  operateComponents(
    token: string,
    app: AppRef,
    action: ComponentAction,
    serviceIds: string[],
    signal?: AbortSignal,
  ): Promise<void>;
  /**
   * DELETE .../apps/{app_id}/services/{service_id}?force=1. With force the console deletes the
   * component even when it then answers 409 (it was running) or 412 (another depended on it):
   * those answers throw RainbondRejectedError after the effect, so callers verify by listing.
   */
  deleteComponent(token: string, app: AppRef, serviceId: string, signal?: AbortSignal): Promise<void>;
  /**
   * GET /openapi/v1/teams?page=1&page_size=1: how many teams the token's user belongs to. The
   * cheapest call that proves, on every release, that the console is reachable, its certificate
   * trusted and the token accepted (console checks use it).
   */
  listTeams(token: string, signal?: AbortSignal): Promise<{ total: number }>;
  /**
   * GET /console/config/info, without a token: the release the console was built as (its
   * RELEASE_DESC, e.g. `v6.9.8-release-1a2b3c4-2026031512`), undefined when it says none (an
   * image built without it). Consoles from v5.16 on answer it.
   */
  readRelease(signal?: AbortSignal): Promise<string | undefined>;
  /** Destroys the keep-alive agents; later calls fail with RainbondNotSentError. */
  close(): void;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** A copy's components have a handful of events; the latest build is among the first page. */
const EVENTS_PAGE_SIZE = 20;

const componentActions: readonly ComponentAction[] = ['stop', 'start', 'deploy', 'upgrade'];

export function createRainbondClient(options: RainbondClientOptions): RainbondClient {
  const base = parseBaseUrl(options.baseUrl);
  const copyTimeoutMs = positiveMilliseconds('copyTimeoutMs', options.copyTimeoutMs);
  const requestTimeoutMs = positiveMilliseconds('requestTimeoutMs', options.requestTimeoutMs);
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1) {
    throw new TypeError('maxResponseBytes must be a positive integer');
  }
  const transport = createHttpTransport({ ca: options.ca, maxResponseBytes });

  function urlOf(segments: string[], query?: string): URL {
    const url = new URL(base);
    url.pathname = `${base.pathname.replace(/\/+$/, '')}/openapi/v1/${segments.join('/')}`;
    url.search = query ?? '';
    return url;
  }

  async function call<T>(
    route: RouteName,
    request: Omit<OutgoingRequest, 'timeoutMs'> & { timeoutMs?: number },
    read: (status: number, bodyText: string) => T,
  ): Promise<T> {
    const started = performance.now();
    let outcome: CallOutcome = 'success';
    try {
      const exchange = await transport.send({ timeoutMs: requestTimeoutMs, ...request });
      if (exchange.type === 'failure') throw classifyFailure(route, exchange.failure, options.caSetting);
      if (exchange.status < 200 || exchange.status >= 300) {
        throw classifyFailure(
          route,
          {
            type: 'status',
            status: exchange.status,
            bodyText: exchange.bodyText,
            location: exchange.location,
          },
          options.caSetting,
        );
      }
      return read(exchange.status, exchange.bodyText);
    } catch (error) {
      const failure = error instanceof RainbondError ? error : unexpected(route, error);
      outcome = outcomeOf(failure);
      throw failure;
    } finally {
      try {
        options.onResponse?.({ route, outcome, durationMs: performance.now() - started });
      } catch {
        // Metrics must never change the result of a call.
      }
    }
  }

  return {
    async listCopyableComponents(token, source, signal) {
      const url = urlOf([...appSegments(source), 'copy']);
      return call('copyPreflight', { method: 'GET', url, token, signal }, (status, text) =>
        parseAnswer('copyPreflight', status, text, copyableComponentListSchema),
      );
    },

    async copyApp(token, source, request, signal) {
      const url = urlOf([...appSegments(source), 'copy']);
      checkCopyRequest(request);
      return call(
        'copy',
        {
          method: 'POST',
          url,
          token,
          json: toCopyRequestBody(request),
          timeoutMs: copyTimeoutMs,
          freshConnection: true,
          signal,
        },
        (status, text) => parseAnswer('copy', status, text, copyAnswerSchema),
      );
    },

    async listComponents(token, app, signal) {
      const url = urlOf([...appSegments(app), 'services']);
      return call('listComponents', { method: 'GET', url, token, signal }, (status, text) =>
        parseAnswer('listComponents', status, text, componentListSchema),
      );
    },

    async getComponent(token, app, serviceId, signal) {
      const url = urlOf([...appSegments(app), 'services', segment('serviceId', serviceId)]);
      return call('getComponent', { method: 'GET', url, token, signal }, (status, text) =>
        parseAnswer('getComponent', status, text, componentDetailSchema),
      );
    },

    async listComponentEvents(token, app, serviceId, signal) {
      const url = urlOf(
        [...appSegments(app), 'services', segment('serviceId', serviceId), 'events'],
        `?page=1&page_size=${EVENTS_PAGE_SIZE}`,
      );
      return call('componentEvents', { method: 'GET', url, token, signal }, (status, text) =>
        parseAnswer('componentEvents', status, text, componentEventsSchema),
      );
    },

    async putComponentEnvs(token, app, serviceId, envs, signal) {
      const url = urlOf([...appSegments(app), 'services', segment('serviceId', serviceId), 'envs']);
      const json = { envs: envs.map((e) => ({ name: e.name, value: e.value, note: e.note })) };
      return call('componentEnvs', { method: 'PUT', url, token, json, signal }, (status, text) =>
        parseAnswer('componentEnvs', status, text, componentEnvsSchema),
      );
    },

    async operateComponents(token, app, action, serviceIds, signal) {
      const url = urlOf([...appSegments(app), 'operations']);
      if (!componentActions.includes(action)) {
        throw new TypeError(`unknown component action: ${String(action)}`);
      }
      for (const id of serviceIds) segment('serviceIds[]', id);
      if (serviceIds.length === 0) return;
      await call(
        'operateComponents',
        { method: 'POST', url, token, json: { action, service_ids: [...serviceIds] }, signal },
        (status, text) => {
          parseAnswer('operateComponents', status, text, operationAnswerSchema);
        },
      );
    },

    async deleteComponent(token, app, serviceId, signal) {
      const url = urlOf([...appSegments(app), 'services', segment('serviceId', serviceId)], '?force=1');
      await call('deleteComponent', { method: 'DELETE', url, token, signal }, (status, text) => {
        // The console answers an empty body; JSON is tolerated, anything else is not its answer.
        if (text.trim() !== '' && parseJson(text) === undefined) {
          throw classifyFailure('deleteComponent', {
            type: 'unreadable',
            status,
            problem: 'the body is not JSON',
          });
        }
      });
    },

    async listTeams(token, signal) {
      const url = urlOf(['teams'], '?page=1&page_size=1');
      return call('listTeams', { method: 'GET', url, token, signal }, (status, text) =>
        parseAnswer('listTeams', status, text, teamListSchema),
      );
    },

    async readRelease(signal) {
      const url = new URL(base);
      url.pathname = `${base.pathname.replace(/\/+$/, '')}/console/config/info`;
      const answer = await call('consoleRelease', { method: 'GET', url, signal }, (status, text) =>
        parseAnswer('consoleRelease', status, text, consoleInfoSchema),
      );
      return answer.release;
    },

    close() {
      transport.close();
    },
  };
}

/** Parses a 2xx body; a body that is not the expected JSON means the outcome is unknown. */
function parseAnswer<T>(route: RouteName, status: number, text: string, schema: z.ZodType<T>): T {
  const json = parseJson(text);
  if (json === undefined) {
    const problem = text.trim() === '' ? 'the body is empty' : 'the body is not JSON';
    throw classifyFailure(route, { type: 'unreadable', status, problem });
  }
  const parsed = schema.safeParse(json.value);
  if (!parsed.success) {
    throw classifyFailure(route, {
      type: 'unreadable',
      status,
      problem: describeSchemaMismatch(parsed.error),
    });
  }
  return parsed.data;
}

/** A throw that is not ours is a bug; it may have happened after sending, so the outcome is unknown. */
function unexpected(route: RouteName, error: unknown): RainbondError {
  const problem = error instanceof Error ? error.message : String(error);
  return new RainbondOutcomeUnknownError(`an unexpected error ended ${describeRoute(route)}: ${problem}`, {
    route,
    cause: problem,
  });
}

function outcomeOf(error: RainbondError): CallOutcome {
  if (error instanceof RainbondRejectedError) return 'rejected';
  if (error instanceof RainbondUnauthorizedError) return 'unauthorized';
  if (error instanceof RainbondNotSentError) return 'not_sent';
  if (error instanceof RainbondUnavailableError) return 'unavailable';
  return 'outcome_unknown';
}

function appSegments(app: AppRef): string[] {
  if (!Number.isSafeInteger(app.appId) || app.appId < 1) throw new TypeError('appId must be an integer >= 1');
  return [
    'teams',
    segment('teamId', app.teamId),
    'regions',
    segment('regionName', app.regionName),
    'apps',
    String(app.appId),
  ];
}

/**
 * One path segment, encoded. Empty, "." and ".." are refused: URL normalisation would turn
 * `DELETE .../services/..` into a call on the app itself.
 */
function segment(name: string, value: string): string {
  if (typeof value !== 'string' || value === '' || value === '.' || value === '..') {
    throw new TypeError(`${name} must be a non-empty string other than "." and ".."`);
  }
  return encodeURIComponent(value);
}

/** The console answers a malformed copy with a 500, which reads as an unknown outcome: refuse it here. */
function checkCopyRequest(request: CopyRequest): void {
  if (!Number.isSafeInteger(request.targetAppId) || request.targetAppId < 1) {
    throw new TypeError('targetAppId must be an integer >= 1');
  }
  if (typeof request.targetTeamName !== 'string' || request.targetTeamName === '') {
    throw new TypeError('targetTeamName must be a non-empty string');
  }
  if (typeof request.targetRegionName !== 'string' || request.targetRegionName === '') {
    throw new TypeError('targetRegionName must be a non-empty string');
  }
  for (const service of request.services) {
    if (typeof service.serviceId !== 'string' || service.serviceId === '') {
      throw new TypeError('every services[].serviceId must be a non-empty string');
    }
  }
}

function parseBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError('baseUrl must be an absolute http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError('baseUrl must be an absolute http or https URL');
  }
  if (url.username !== '' || url.password !== '') throw new TypeError('baseUrl must not carry credentials');
  if (url.search !== '' || url.hash !== '') throw new TypeError('baseUrl must not carry a query or fragment');
  return url;
}

function positiveMilliseconds(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new TypeError(`${name} must be a positive number of milliseconds`);
  return value;
}
