// Reads the copies' addresses from the console: one GET of the component's own view per copy
// named (addresses.ts decides which). An address that cannot be read is not a problem of the
// copy: that copy is left out of the answer (its addresses stay as they were, empty at first)
// and the debug log says why.
import type { Logger } from 'pino';
import type { ServiceAddresses } from '../api/appcopy.ts';
import type { RainbondClient } from '../rainbond/client.ts';
import type { AppRef } from '../rainbond/types.ts';
import { toAddresses } from './addresses.ts';

/** The addresses of each copy of `serviceIds` whose view the console answered. */
export async function readAddresses(
  rainbond: Pick<RainbondClient, 'getComponent'>,
  token: string,
  app: AppRef,
  serviceIds: readonly string[],
  log: Logger,
): Promise<Map<string, ServiceAddresses>> {
  const found = await Promise.all(
    serviceIds.map(async (serviceId) => {
      try {
        const component = await rainbond.getComponent(token, app, serviceId);
        const { addresses, ignored } = toAddresses(component.accessInfos);
        if (ignored.length > 0) {
          log.debug(
            { serviceId, ignored },
            'ignored access infos of a copy that are neither a URL nor host:port',
          );
        }
        return [[serviceId, addresses] as const];
      } catch (error) {
        log.debug({ err: error, serviceId }, "cannot read a copy's addresses; they stay empty");
        return [];
      }
    }),
  );
  return new Map(found.flat());
}
