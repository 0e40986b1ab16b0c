/**
 * @module backends/embedded/vocabulary
 * The words of the index as written, each with its stem, searchable by prefix and fuzzily with
 * MiniSearch's radix tree.
 */
import SearchableMap from 'minisearch/SearchableMap';
import { stem } from '../../text/analyzer.ts';

/**
 * The words of the index as written (folded, not stemmed), each with its stem: prefixes and
 * fuzzy terms are looked up here, then searched by stem. Indexing only meets words in a plain
 * map (one hash lookup per token); the radix tree that prefix and fuzzy lookups need is built
 * on the first such lookup and kept up to date from then on.
 */
export class Vocabulary {
  readonly #stems = new Map<string, string>();
  #tree: SearchableMap<string> | null = null;
  /** Words read from a snapshot, recorded on first use: loading stays fast, the first prefix pays. */
  #pending: string[] = [];

  /** Records `words` (read from a snapshot) when first needed. */
  defer(words: string[]): void {
    this.#pending = this.#pending.length === 0 ? words : this.#pending.concat(words);
  }

  /** The words, by prefix or fuzzily searchable, each mapped to its stem. */
  get words(): SearchableMap<string> {
    this.#recordPending();
    this.#tree ??= new SearchableMap<string>();
    if (this.#tree.size < this.#stems.size) for (const [word, root] of this.#stems) this.#tree.set(word, root);
    return this.#tree;
  }

  #recordPending(): void {
    if (this.#pending.length === 0) return;
    const pending = this.#pending;
    this.#pending = [];
    for (const word of pending) this.add(word);
  }

  /** Every word recorded, for the snapshot. */
  list(): string[] {
    this.#recordPending();
    return [...this.#stems.keys()];
  }

  /** Records `word` if new; returns its stem. */
  add(word: string): string {
    if (this.#pending.length > 0) this.#recordPending();
    const known = this.#stems.get(word);
    if (known !== undefined) return known;
    const root = stem(word);
    this.#stems.set(word, root);
    this.#tree?.set(word, root);
    return root;
  }
}

