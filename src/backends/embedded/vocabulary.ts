/**
 * @module backends/embedded/vocabulary
 * The words of the index as written, each with its stem, searchable by prefix and fuzzily with
 * MiniSearch's radix tree.
 */
import SearchableMap from 'minisearch/SearchableMap';
import { stem } from '../../text/analyzer.ts';
import { runToEnd, type Pace, type Steps } from '../pace.ts';

/** A pace that never pauses. */
const UNPAUSED: Pace = () => false;

/**
 * The words of the index as written (folded, not stemmed), each with its stem: prefixes and
 * fuzzy terms are looked up here, then searched by stem. Indexing only meets words in a plain
 * map (one hash lookup per token); the radix tree that prefix and fuzzy lookups need is built
 * when first needed, and kept up to date from then on. Words read from a snapshot are recorded
 * then too. Building both takes a few hundred milliseconds on a large archive, so it is done in
 * steps that pause ({@link Vocabulary.readySteps}): in the background after a server starts, or by the
 * first prefix query, whichever comes first; every caller continues where the last one paused.
 */
export class Vocabulary {
  readonly #stems = new Map<string, string>();
  #tree: SearchableMap<string> | null = null;
  /** While the tree is being filled: the words of {@link Vocabulary.#stems} still to put in it (a map's iterator also meets words added meanwhile). */
  #filling: MapIterator<[string, string]> | null = null;
  /** Words read from a snapshot; those before {@link Vocabulary.#recorded} are recorded. */
  #pending: string[] = [];
  #recorded = 0;

  /** Records `words` (read from a snapshot) when first needed. */
  defer(words: string[]): void {
    this.#pending = this.#pending.slice(this.#recorded).concat(words);
    this.#recorded = 0;
  }

  /** The words, by prefix or fuzzily searchable, each mapped to its stem (built at once if need be). */
  get words(): SearchableMap<string> {
    return runToEnd(this.readySteps(UNPAUSED));
  }

  /** {@link Vocabulary.words}, its building pausing when `pace` says so. */
  *readySteps(pace: Pace): Steps<SearchableMap<string>> {
    while (this.#recorded < this.#pending.length) {
      this.add(this.#pending[this.#recorded++] as string);
      if (pace()) yield;
    }
    this.#pending = [];
    this.#recorded = 0;
    if (this.#tree === null) {
      this.#tree = new SearchableMap<string>();
      this.#filling = this.#stems.entries();
    }
    for (let next = this.#filling?.next(); next !== undefined && next.done !== true; next = this.#filling?.next()) {
      this.#tree.set(next.value[0], next.value[1]);
      if (pace()) yield;
    }
    this.#filling = null;
    return this.#tree;
  }

  /** Every word recorded or still to record, for the snapshot. */
  list(): string[] {
    const words = [...this.#stems.keys()];
    for (let index = this.#recorded; index < this.#pending.length; index += 1) {
      const word = this.#pending[index] as string;
      if (!this.#stems.has(word)) words.push(word);
    }
    return words;
  }

  /** Records `word` if new; returns its stem. */
  add(word: string): string {
    const known = this.#stems.get(word);
    if (known !== undefined) return known;
    const root = stem(word);
    this.#stems.set(word, root);
    this.#tree?.set(word, root);
    return root;
  }
}
