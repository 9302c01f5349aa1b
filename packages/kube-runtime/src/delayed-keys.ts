// Keys waiting to become ready at a given time, earliest first: the waiting room behind
// `addAfter`. A key waits at most once, at the earliest time anyone asked for, so many delayed
// adds of one key cost one entry (like client-go's delaying queue).

interface Entry {
  key: string;
  readyAt: number;
}

export class DelayedKeys {
  // Min-heap on readyAt. Entries superseded by an earlier time for the same key stay in the heap
  // and are skipped when they surface (`readyAtByKey` is the truth).
  readonly #heap: Entry[] = [];
  readonly #readyAtByKey = new Map<string, number>();

  /** Number of distinct keys waiting. */
  get size(): number {
    return this.#readyAtByKey.size;
  }

  /** Schedules `key` at `readyAt` unless it already waits for an earlier or equal time. */
  schedule(key: string, readyAt: number): void {
    const current = this.#readyAtByKey.get(key);
    if (current !== undefined && current <= readyAt) return;
    this.#readyAtByKey.set(key, readyAt);
    this.#push({ key, readyAt });
  }

  /** The earliest time at which some key becomes ready, if any waits. */
  nextReadyAt(): number | undefined {
    this.#dropStale();
    return this.#heap[0]?.readyAt;
  }

  /** Removes and returns every key ready at `now`, earliest first. */
  takeReady(now: number): string[] {
    const ready: string[] = [];
    for (;;) {
      this.#dropStale();
      const top = this.#heap[0];
      if (!top || top.readyAt > now) return ready;
      this.#pop();
      this.#readyAtByKey.delete(top.key);
      ready.push(top.key);
    }
  }

  clear(): void {
    this.#heap.length = 0;
    this.#readyAtByKey.clear();
  }

  #dropStale(): void {
    for (
      let top = this.#heap[0];
      top && this.#readyAtByKey.get(top.key) !== top.readyAt;
      top = this.#heap[0]
    ) {
      this.#pop();
    }
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.readyAt <= entry.readyAt) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]!.readyAt < heap[left]!.readyAt ? right : left;
      if (heap[child]!.readyAt >= last.readyAt) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}
