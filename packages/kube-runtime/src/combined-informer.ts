import type { Informer } from './informer.ts';

/**
 * One informer over several others, typically one per watched namespace: their caches are
 * disjoint because object keys include the namespace. Synced when all of them are.
 */
export function combineInformers<T>(name: string, informers: readonly Informer<T>[]): Informer<T> {
  const subscribeAll = (subscribe: (informer: Informer<T>) => () => void): (() => void) => {
    const unsubscribes = informers.map(subscribe);
    return () => {
      for (const unsubscribe of unsubscribes) unsubscribe();
    };
  };
  return {
    name,
    onAdd: (handler) => subscribeAll((informer) => informer.onAdd(handler)),
    onUpdate: (handler) => subscribeAll((informer) => informer.onUpdate(handler)),
    onDelete: (handler) => subscribeAll((informer) => informer.onDelete(handler)),
    get(key) {
      for (const informer of informers) {
        const found = informer.get(key);
        if (found !== undefined) return found;
      }
      return undefined;
    },
    list: () => informers.flatMap((informer) => informer.list()),
    hasSynced: () => informers.every((informer) => informer.hasSynced()),
    async waitForSync(signal) {
      const results = await Promise.all(informers.map((informer) => informer.waitForSync(signal)));
      return results.every(Boolean);
    },
    start() {
      for (const informer of informers) informer.start();
    },
    async stop() {
      await Promise.all(informers.map((informer) => informer.stop()));
    },
  };
}
