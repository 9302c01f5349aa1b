// A deadline for every request to the API server whose caller set none (the informer's list and
// watch set their own). Without it, a request whose connection went silent, as when a NAT entry
// or a load balancer drops it, waits forever, and so does whatever awaits it: a reconcile that
// never ends keeps its key from ever being processed again.
import type { KubeConfig } from '@kubernetes/client-node';

export function withRequestTimeout<T extends KubeConfig>(kc: T, timeoutMs: number): T {
  const timed = Object.create(kc) as T;
  timed.applySecurityAuthentication = async (context) => {
    await kc.applySecurityAuthentication(context);
    if (context.getSignal() === undefined) context.setSignal(AbortSignal.timeout(timeoutMs));
  };
  return timed;
}
