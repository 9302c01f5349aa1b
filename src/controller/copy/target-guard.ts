// Serialises copies per target app (protocol step 5), so that recognising a copy after an
// unknown outcome is unambiguous and two copies never race on k8s_component_name.
//
// Two layers: an in-process lock per target, and a check of the informer cache for another
// AppCopy already Copying into the same target (which covers the time after a restart, when
// that AppCopy's outcome is still to be verified). Across replicas, leader election makes one
// process the only writer. A key that finds its target busy is handed back through `wake`
// when the lock is released, instead of polling.

export interface TargetGuard {
  /**
   * Runs `work` holding the lock of `target`, or returns `{ busy: true }` without running it
   * when another AppCopy holds the lock or is mid-copy into the same target.
   */
  withTarget<T>(
    target: string,
    self: string,
    work: () => Promise<T>,
  ): Promise<{ busy: false; value: T } | { busy: true }>;
  /** Wakes the keys waiting for `target` (the cache no longer shows a copy in flight there). */
  targetFreed(target: string): void;
}

export function createTargetGuard(deps: {
  /** Keys of other AppCopies that the cache shows Copying into `target`. */
  copyingInto: (target: string, exceptKey: string) => string[];
  /** Called with keys that waited for a target when it becomes free. */
  wake: (keys: string[]) => void;
}): TargetGuard {
  const holders = new Map<string, string>();
  const waiters = new Map<string, Set<string>>();

  function wait(target: string, key: string): { busy: true } {
    let set = waiters.get(target);
    if (!set) {
      set = new Set();
      waiters.set(target, set);
    }
    set.add(key);
    return { busy: true };
  }

  function wakeWaiters(target: string): void {
    const woken = waiters.get(target);
    waiters.delete(target);
    if (woken && woken.size > 0) deps.wake([...woken]);
  }

  return {
    targetFreed(target) {
      if (!holders.has(target)) wakeWaiters(target);
    },
    async withTarget(target, self, work) {
      const holder = holders.get(target);
      if (holder !== undefined && holder !== self) return wait(target, self);
      if (deps.copyingInto(target, self).length > 0) return wait(target, self);
      // Re-entry by the holder runs without taking the lock again: only the call that took it releases it.
      if (holder === self) return { busy: false, value: await work() };
      holders.set(target, self);
      try {
        return { busy: false, value: await work() };
      } finally {
        holders.delete(target);
        wakeWaiters(target);
      }
    },
  };
}
