// A fixed number of slots for one kind of work (a counting semaphore), handed out in the order
// they were asked for. Used to bound how many copy calls are in flight at once, while more
// reconciles than that prepare the next ones (docs/performance.md).

export interface Slots {
  /**
   * Resolves with a release function once a slot is free; slots are granted first come, first
   * served. Rejects with SlotsClosedError when closed before a slot was granted. Call the release
   * function exactly once (later calls do nothing).
   */
  acquire(): Promise<() => void>;
  /** Slots in use now. */
  inUse(): number;
  /** Callers still waiting for a slot. */
  waiting(): number;
  /** Rejects every caller still waiting and every later acquire; slots already held stay valid. */
  close(): void;
}

export class SlotsClosedError extends Error {
  constructor(name: string) {
    super(`${name}: no new work is started (shutting down)`);
    this.name = 'SlotsClosedError';
  }
}

export function createSlots(name: string, size: number): Slots {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`${name}: size must be a whole number >= 1`);
  let used = 0;
  let closed = false;
  const queue: { grant: (release: () => void) => void; refuse: (error: Error) => void }[] = [];

  function releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = queue.shift();
      if (next) next.grant(releaser());
      else used--;
    };
  }

  return {
    acquire() {
      if (closed) return Promise.reject(new SlotsClosedError(name));
      if (used < size) {
        used++;
        return Promise.resolve(releaser());
      }
      return new Promise((grant, refuse) => queue.push({ grant, refuse }));
    },
    inUse: () => used,
    waiting: () => queue.length,
    close() {
      closed = true;
      for (const waiter of queue.splice(0)) waiter.refuse(new SlotsClosedError(name));
    },
  };
}
