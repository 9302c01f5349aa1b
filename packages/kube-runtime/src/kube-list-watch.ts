import { HttpMethod, type KubeConfig, RequestContext } from '@kubernetes/client-node';
import { type Dispatcher, request } from 'undici';
import type { ListResult, ListWatch, WatchEventType } from './informer.ts';
import { KubeApiError, kubeApiErrorFromStatus } from './kube-api-error.ts';

// The ListWatch of any resource on a real API server, over the REST paths, authenticated by the
// KubeConfig exactly as client-node's generated clients are (applySecurityAuthentication sets
// the headers and the TLS dispatcher: PooledKubeConfig's one connection) and sent, like theirs,
// with undici's request() (undici-request-library.ts): one HTTP path to the API server. The
// watch is read as a stream of JSON lines, so ERROR events (410 Expired) become errors instead
// of being dropped.

export interface KubeResource {
  /** API group; '' for the core group. */
  group: string;
  version: string;
  plural: string;
  /** Lists and watches only this namespace; all namespaces when omitted. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface KubeListWatchOptions extends KubeResource {
  /** Objects per list page (the list is paginated to bound the size of one response). Default 500. */
  pageSize?: number;
  /** The server ends each watch after this long (the informer then resumes it). Default 300. */
  watchTimeoutSeconds?: number;
  /** Upper bound for one list page request. Default 60000. */
  requestTimeoutMs?: number;
  /**
   * What a resource the API server does not serve (404 on the list: its CRD is not installed)
   * looks like. 'error' (default): the list fails and is retried. 'empty': an empty, synced list,
   * looked at again every `absentRecheckMs`, so an optional kind whose CRD is missing does not
   * hold back everything else; `onAbsent(true)` is called when it is found missing, `onAbsent(false)`
   * when it is served again.
   */
  whenAbsent?: 'error' | 'empty';
  onAbsent?: (absent: boolean) => void;
  /** How often a missing resource is looked for again (default 30000). */
  absentRecheckMs?: number;
}

/** The resourceVersion of the empty list a missing resource is read as (see whenAbsent). */
const ABSENT = 'absent';

/** The collection URL path of a resource, e.g. `/apis/apps/v1/namespaces/a/deployments`. */
export function resourcePath(
  resource: Pick<KubeResource, 'group' | 'version' | 'plural' | 'namespace'>,
): string {
  const root =
    resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  const ns = resource.namespace ? `/namespaces/${encodeURIComponent(resource.namespace)}` : '';
  return `${root}${ns}/${resource.plural}`;
}

const WATCH_EVENT_TYPES: ReadonlySet<string> = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK']);

export function createKubeListWatch(kc: KubeConfig, opts: KubeListWatchOptions): ListWatch {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new TypeError('the kubeconfig has no current cluster');
  const baseUrl = cluster.server.replace(/\/+$/, '') + resourcePath(opts);
  const pageSize = opts.pageSize ?? 500;
  const watchTimeoutSeconds = opts.watchTimeoutSeconds ?? 300;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 60_000;
  const absentRecheckMs = opts.absentRecheckMs ?? 30_000;
  let absent = false;
  const markAbsent = (now: boolean) => {
    if (now !== absent) opts.onAbsent?.(now);
    absent = now;
  };
  const groupVersion = opts.group === '' ? opts.version : `${opts.group}/${opts.version}`;

  const urlWith = (params: Record<string, string | undefined>): string => {
    const url = new URL(baseUrl);
    for (const [key, value] of Object.entries({
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      ...params,
    })) {
      if (value !== undefined && value !== '') url.searchParams.set(key, value);
    }
    return url.toString();
  };

  const get = async (url: string, signal: AbortSignal): Promise<Dispatcher.ResponseData> => {
    const context = new RequestContext(url, HttpMethod.GET);
    context.setHeaderParam('Accept', 'application/json');
    await kc.applySecurityAuthentication(context);
    return request(url, {
      method: 'GET',
      headers: context.getHeaders(),
      signal,
      dispatcher: context.getDispatcher(),
    });
  };

  const failure = async (response: Dispatcher.ResponseData): Promise<KubeApiError> => {
    const text = await response.body.text().catch(() => '');
    return kubeApiErrorFromStatus(parseJson(text), response.statusCode);
  };

  const listConverted = async <C>(
    signal: AbortSignal,
    convert: (raw: unknown) => C | undefined,
  ): Promise<{ items: C[]; resourceVersion: string }> => {
    const items: C[] = [];
    let resourceVersion = '';
    let continueToken: string | undefined;
    do {
      const response = await get(
        urlWith({ limit: String(pageSize), continue: continueToken }),
        AbortSignal.any([signal, AbortSignal.timeout(requestTimeoutMs)]),
      );
      if (response.statusCode === 404 && opts.whenAbsent === 'empty' && continueToken === undefined) {
        await response.body.dump();
        markAbsent(true);
        return { items: [], resourceVersion: ABSENT };
      }
      if (response.statusCode !== 200) throw await failure(response);
      markAbsent(false);
      const page = parseJson(await response.body.text()) as {
        kind?: string;
        items?: unknown[];
        metadata?: { resourceVersion?: string; continue?: string };
      };
      if (!Array.isArray(page?.items)) throw new KubeApiError(500, 'list response has no items array');
      const kind = page.kind?.endsWith('List') ? page.kind.slice(0, -'List'.length) : undefined;
      for (const item of page.items) {
        const converted = convert(withTypeMeta(item, groupVersion, kind));
        if (converted !== undefined) items.push(converted);
      }
      resourceVersion = page.metadata?.resourceVersion ?? '';
      continueToken = page.metadata?.continue || undefined;
    } while (continueToken);
    return { items, resourceVersion };
  };

  return {
    list: (signal): Promise<ListResult> => listConverted(signal, (raw) => raw),
    listConverted,

    async watch(resourceVersion, onEvent, signal) {
      if (resourceVersion === ABSENT) {
        // Nothing to watch: wait, then have the informer list again (an expired watch does).
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, absentRecheckMs);
          signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              resolve();
            },
            { once: true },
          );
        });
        if (signal.aborted) return;
        throw new KubeApiError(410, 'the resource is not served; listing again', 'Expired');
      }
      let response: Dispatcher.ResponseData;
      try {
        response = await get(
          urlWith({
            watch: '1',
            allowWatchBookmarks: 'true',
            resourceVersion,
            timeoutSeconds: String(watchTimeoutSeconds),
          }),
          signal,
        );
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      if (response.statusCode !== 200) throw await failure(response);
      const decoder = new TextDecoder();
      let buffer = '';
      const deliver = (line: string): void => {
        if (line.trim() === '') return;
        const event = parseJson(line) as { type?: unknown; object?: unknown } | undefined;
        if (!event || typeof event.type !== 'string')
          throw new KubeApiError(500, 'watch sent an undecodable event');
        if (event.type === 'ERROR') throw kubeApiErrorFromStatus(event.object, 500);
        if (WATCH_EVENT_TYPES.has(event.type)) onEvent(event.type as WatchEventType, event.object);
      };
      try {
        for await (const chunk of response.body) {
          buffer += decoder.decode(chunk as Uint8Array, { stream: true });
          for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + 1);
            deliver(line);
          }
        }
        deliver(buffer + decoder.decode());
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      } finally {
        // Closes the connection when we stop reading early (error, abort, undecodable event).
        if (!response.body.destroyed) response.body.destroy();
      }
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** List items carry no apiVersion/kind (the list does); watch events do. Make cached objects alike. */
function withTypeMeta(item: unknown, apiVersion: string, kind: string | undefined): unknown {
  if (typeof item !== 'object' || item === null) return item;
  const typed = item as { apiVersion?: string; kind?: string };
  typed.apiVersion ??= apiVersion;
  if (kind) typed.kind ??= kind;
  return item;
}
