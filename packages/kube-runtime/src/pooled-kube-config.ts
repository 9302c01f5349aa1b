import type { RequestOptions } from 'node:https';
import {
  type ApiConstructor,
  type ApiType,
  createConfiguration,
  KubeConfig,
  type RequestContext,
  ServerConfiguration,
  setHeaderMiddleware,
} from '@kubernetes/client-node';
// undici is declared in package.json because the pool builds the Agent client-node would build;
// with client-node's own range, so npm installs a single undici, and the Agent works with both
// the request() of our HttpLibrary and the fetch() of the informer's list and watch.
import { Agent } from 'undici';
import { createUndiciRequestLibrary } from './undici-request-library.ts';

/**
 * How often the pooled HTTP/2 connection is pinged. A connection that goes silent without
 * closing (a dropped NAT entry, a black-holed network) is reset when a ping is still unanswered
 * at the next one, so within two intervals, and its requests fail at once instead of each
 * waiting for its deadline; the next requests open a new connection. client-go does the same
 * (HTTP/2 health-check pings).
 */
export const KUBE_PING_INTERVAL_MS = 5_000;

/**
 * A KubeConfig whose requests share one kept-alive connection to the API server.
 *
 * client-node 2.x builds a new undici Agent for every request when the cluster has TLS settings
 * (a CA, client certificates): each call then opens its own connection with a full TLS
 * handshake, and the idle sockets linger. Under load those handshakes were most of the
 * operator's CPU and a good part of the API server's (docs/performance.md). Here one Agent,
 * with the connection settings client-node would use, serves every request (HTTP/2, pinged:
 * see KUBE_PING_INTERVAL_MS). Headers (the token, which may be re-read from a file) are still
 * computed per request; the TLS settings are read once, as they do not change while the process
 * runs. Behind a proxy, client-node's own per-request dispatcher is kept.
 *
 * Its API clients (makeApiClient) send with undici's request() instead of fetch() (see
 * createUndiciRequestLibrary), and name the program as their User-Agent when it gives one.
 */
export class PooledKubeConfig extends KubeConfig {
  // Not a #private field: operator.ts wraps the KubeConfig with Object.create(), and a #field
  // cannot be read through such a wrapper.
  private pool: Promise<Agent | undefined> | undefined;
  private readonly httpApi = createUndiciRequestLibrary();
  private readonly userAgent: string | undefined;

  /** `userAgent`: how the API server's audit log and metrics name this program's requests. */
  constructor(options: { userAgent?: string } = {}) {
    super();
    this.userAgent = options.userAgent;
  }

  /**
   * As client-node's makeApiClient, with this class's HttpLibrary. `this` is the authenticator,
   * so a wrapper made with Object.create() (withRequestTimeout) authenticates its clients' requests.
   */
  override makeApiClient<T extends ApiType>(apiClientType: ApiConstructor<T>): T {
    const cluster = this.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    return new apiClientType(
      createConfiguration({
        baseServer: new ServerConfiguration(cluster.server, {}),
        authMethods: { default: this },
        httpApi: this.httpApi,
        middleware: this.userAgent === undefined ? [] : [setHeaderMiddleware('User-Agent', this.userAgent)],
      }),
    );
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    if (context.getDispatcher() === undefined) return; // no TLS settings: the global dispatcher already pools
    this.pool ??= this.createPool();
    const pool = await this.pool;
    if (pool) context.setDispatcher(pool);
  }

  private async createPool(): Promise<Agent | undefined> {
    const tls: RequestOptions = {};
    await this.applyToHTTPSOptions(tls);
    const options = this.createDispatcherOptions(this.getCurrentCluster(), {
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      pfx: tls.pfx,
      passphrase: tls.passphrase,
      ...(tls.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
      ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
    });
    return options.type === 'agent'
      ? new Agent({ connect: options.connect, h2Options: { pingInterval: KUBE_PING_INTERVAL_MS } })
      : undefined;
  }
}
