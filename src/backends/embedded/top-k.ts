/**
 * @module backends/embedded/top-k
 * Keeps the best `k` of a stream of items without sorting them all: a common word matches most
 * of the archive, and a page needs ten of them.
 */

/** A bounded selection of the best items under `better`. */
export type TopK<T> = {
  /** Offers an item; it is kept if it is among the best `k` so far. */
  push(item: T): void;
  /** The kept items, best first. */
  sorted(): T[];
};

/**
 * Creates a selection of the best `k` items, where `better(a, b)` is negative when `a` ranks
 * before `b` (a comparator for a best-first sort). Uses a binary heap whose root is the worst
 * kept item: O(n log k).
 *
 * @example
 * const top = createTopK<number>(2, (a, b) => b - a);
 * [5, 1, 9, 7].forEach(top.push);
 * top.sorted() // [9, 7]
 */
export function createTopK<T>(k: number, better: (a: T, b: T) => number): TopK<T> {
  const heap: T[] = [];
  /** True when `a` ranks after `b`: the heap keeps the worst item at its root. */
  const worse = (a: T, b: T): boolean => better(a, b) > 0;

  const siftUp = (index: number): void => {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!worse(heap[i] as T, heap[parent] as T)) break;
      [heap[i], heap[parent]] = [heap[parent] as T, heap[i] as T];
      i = parent;
    }
  };

  const siftDown = (index: number): void => {
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < heap.length && worse(heap[left] as T, heap[worst] as T)) worst = left;
      if (right < heap.length && worse(heap[right] as T, heap[worst] as T)) worst = right;
      if (worst === i) return;
      [heap[i], heap[worst]] = [heap[worst] as T, heap[i] as T];
      i = worst;
    }
  };

  return {
    push(item: T): void {
      if (k <= 0) return;
      if (heap.length < k) {
        heap.push(item);
        siftUp(heap.length - 1);
      } else if (worse(heap[0] as T, item)) {
        heap[0] = item;
        siftDown(0);
      }
    },
    sorted: () => [...heap].sort(better),
  };
}
