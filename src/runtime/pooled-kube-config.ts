import type { RequestOptions } from 'node:https';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;
type AgentConstructor = new (options: {
  connect: unknown;
  h2Options: { pingInterval: number };
}) => Dispatcher;

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
 */
export class PooledKubeConfig extends KubeConfig {
  // Not a #private field: operator.ts wraps the KubeConfig with Object.create(), and a #field
  // cannot be read through such a wrapper.
  private pool: Promise<Dispatcher | undefined> | undefined;

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const perRequest = context.getDispatcher();
    if (perRequest === undefined) return; // no TLS settings: the global dispatcher already pools
    // The class client-node instantiates (undici's Agent), so that no second undici is needed.
    this.pool ??= this.createPool(perRequest.constructor as AgentConstructor);
    const pool = await this.pool;
    if (pool) context.setDispatcher(pool);
  }

  private async createPool(Agent: AgentConstructor): Promise<Dispatcher | undefined> {
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
