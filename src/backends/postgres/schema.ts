/**
 * @module backends/postgres/schema
 * The numbered migrations of the PostgreSQL backend (SPEC §9). Each is applied once, in order, in
 * the transaction that records it in `schema_migrations` (see `migrations.ts`). Never edit one
 * that has shipped: add the next.
 *
 * Layout (ready for Citus): `articles` and `paragraphs` are keyed by `article_id`, their
 * distribution column, co-located, with no foreign key between them. The corpus statistics
 * BM25 needs and the vocabulary (`stems`, `words`, `corpus_totals`) are global by nature, small
 * (one row per distinct word) and read by every search: under Citus they are reference tables.
 * `postings` (migration 3) is keyed by stem lexeme, a term-partitioned index: under Citus it is
 * distributed by `lexeme`, not co-located with the articles (README, "Beyond one machine").
 */

/**
 * One migration: its number, a name for the log, its SQL (several statements), and what runs
 * once the migrations' transaction has committed (`after`: a statement that cannot run in a
 * transaction, such as VACUUM).
 */
export type Migration = { version: number; name: string; sql: string; after?: string };

/** The schema, version by version. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'articles, paragraphs with their tsvector, corpus statistics, vocabulary, verification functions',
    sql: String.raw`
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

-- The store of record: every field of an article; its paragraphs are rows of "paragraphs".
-- Dates are ISO strings compared as text (byte order), as the embedded backend compares them.
-- title_*: the title analyzed (written word keys, compounds, sentence starts) for phrase and
-- proximity verification in the title.
CREATE TABLE articles (
  article_id text COLLATE "C" PRIMARY KEY,
  title text NOT NULL,
  source text,
  date text COLLATE "C",
  url text,
  caption text,
  dateline text,
  content_hash text NOT NULL,
  paragraph_count int NOT NULL,
  title_words text[] NOT NULL,
  title_compounds text[] NOT NULL,
  title_compound_starts int[] NOT NULL,
  title_compound_spans int[] NOT NULL,
  title_sentence_starts int[] NOT NULL,
  ingested_at timestamptz NOT NULL DEFAULT now()
);

-- One row per paragraph, the unit of search. tsv: the lexemes of the paragraph and of its
-- article's title (no positions: verification reads the word arrays); tf: occurrences of each
-- stem lexeme; title_length / text_length: distinct stems of each field (BM25 field lengths).
-- source, source_key (lower-cased in Node, as the embedded filter does) and date are copies of
-- the article's, so that filters, facets and sorting need no join.
CREATE TABLE paragraphs (
  article_id text COLLATE "C" NOT NULL,
  n int NOT NULL,
  body text NOT NULL,
  source text,
  source_key text COLLATE "C",
  date text COLLATE "C",
  tsv tsvector NOT NULL,
  tf jsonb NOT NULL,
  title_length int NOT NULL,
  text_length int NOT NULL,
  words text[] NOT NULL,
  compounds text[] NOT NULL,
  compound_starts int[] NOT NULL,
  compound_spans int[] NOT NULL,
  sentence_starts int[] NOT NULL,
  PRIMARY KEY (article_id, n)
);
CREATE INDEX paragraphs_tsv ON paragraphs USING gin (tsv);

-- Paragraphs holding each stem in their title and in their text: BM25's document frequencies.
CREATE TABLE stems (
  stem text COLLATE "C" PRIMARY KEY,
  title_df int NOT NULL,
  text_df int NOT NULL
);

-- The vocabulary: every term of the index as written (folded), its stem, and how many articles
-- hold it. Prefixes, wildcards, fuzzy terms and suggestions are looked up here ("C" collation:
-- a LIKE 'prefix%' is a range of the primary key).
CREATE TABLE words (
  word text COLLATE "C" PRIMARY KEY,
  stem text COLLATE "C" NOT NULL,
  articles int NOT NULL
);
CREATE INDEX words_stem ON words (stem);

-- The corpus totals: one row, updated last by every write (after the stems and words it locks).
CREATE TABLE corpus_totals (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  articles bigint NOT NULL,
  paragraphs bigint NOT NULL,
  title_length bigint NOT NULL,
  text_length bigint NOT NULL,
  analyzer_version int
);
INSERT INTO corpus_totals (articles, paragraphs, title_length, text_length) VALUES (0, 0, 0, 0);

-- MiniSearch's BM25+ term score (k = 1.2, b = 0.7, d = 0.5), 0 when the term is absent; the
-- operations in MiniSearch's order, in float8, so that scores agree to the last bits or nearly.
CREATE FUNCTION ns_bm25(tf int, idf float8, len int, avg float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN tf IS NULL THEN 0::float8
    ELSE idf * (0.5::float8 + (tf::float8 * (1.2::float8 + 1::float8)) / (tf::float8 + 1.2::float8 * (1::float8 - 0.7::float8 + (0.7::float8 * len::float8) / avg))) END
$$;

-- Occurrences are int8: first token position << 24 | last token position (1-based); operands
-- of a proximity chain carry their number << 48.

-- Where a phrase occurs in a field's words: each token holding its first word starts at most
-- one occurrence, ending at the earliest in-order continuation with at most "slop" other words
-- in between in total (verify.ts, phraseEndAt).
CREATE FUNCTION ns_phrase_occurrences(words text[], phrase text[], slop int) RETURNS int8[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  found int8[] := '{}';
  size int := coalesce(cardinality(words), 0);
  k int := cardinality(phrase);
  first_at int;
  last_at int;
  nxt int;
  ok boolean;
BEGIN
  FOREACH first_at IN ARRAY array_positions(words, phrase[1]) LOOP
    last_at := first_at;
    ok := true;
    FOR m IN 2..k LOOP
      nxt := last_at + 1;
      LOOP
        IF nxt > size OR nxt - first_at - (m - 1) > slop THEN ok := false; EXIT; END IF;
        EXIT WHEN words[nxt] = phrase[m];
        nxt := nxt + 1;
      END LOOP;
      EXIT WHEN NOT ok;
      last_at := nxt;
    END LOOP;
    IF ok THEN found := found || ((first_at::int8 << 24) | last_at); END IF;
  END LOOP;
  RETURN found;
END $$;

-- True when the phrase occurs at least once (same rule, stops at the first occurrence).
CREATE FUNCTION ns_phrase_in(words text[], phrase text[], slop int) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  size int := coalesce(cardinality(words), 0);
  k int := cardinality(phrase);
  first_at int;
  last_at int;
  nxt int;
  ok boolean;
BEGIN
  IF k = 1 THEN RETURN phrase[1] = ANY(words); END IF;
  FOREACH first_at IN ARRAY array_positions(words, phrase[1]) LOOP
    last_at := first_at;
    ok := true;
    FOR m IN 2..k LOOP
      nxt := last_at + 1;
      LOOP
        IF nxt > size OR nxt - first_at - (m - 1) > slop THEN ok := false; EXIT; END IF;
        EXIT WHEN words[nxt] = phrase[m];
        nxt := nxt + 1;
      END LOOP;
      EXIT WHEN NOT ok;
      last_at := nxt;
    END LOOP;
    IF ok THEN RETURN true; END IF;
  END LOOP;
  RETURN false;
END $$;

-- Where a term occurs in a field: its tokens, and its compounds over their whole span.
CREATE FUNCTION ns_term_occurrences(words text[], compounds text[], starts int[], spans int[], wanted text[]) RETURNS int8[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(o), '{}') FROM (
    SELECT (i::int8 << 24) | i AS o FROM unnest(words) WITH ORDINALITY AS u(w, i) WHERE w = ANY(wanted)
    UNION ALL
    SELECT (s::int8 << 24) | (s + l - 1) FROM unnest(compounds, starts, spans) AS c(w, s, l) WHERE w = ANY(wanted)
  ) AS found
$$;

-- Occurrences marked as those of operand "tag" of a chain.
CREATE FUNCTION ns_tag(occurrences int8[], tag int) RETURNS int8[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg((tag::int8 << 48) | o), '{}') FROM unnest(occurrences) AS o
$$;

-- The sentence of a token position, given the positions where sentences start.
CREATE FUNCTION ns_sentence(starts int[], token int) RETURNS int
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  sentence int := 0;
  start int;
BEGIN
  FOREACH start IN ARRAY starts LOOP
    EXIT WHEN start > token;
    sentence := sentence + 1;
  END LOOP;
  RETURN sentence;
END $$;

-- proximity.ts, linked: occurrences x (earlier operand) and y satisfy a connector: unit 0 words
-- (within "distance", in order when "ordered"), 1 the same sentence, 2 the same field.
CREATE FUNCTION ns_linked(unit int, distance int, ordered boolean, x int8, y int8, starts int[]) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  xf int := ((x >> 24) & 16777215)::int;
  xl int := (x & 16777215)::int;
  yf int := ((y >> 24) & 16777215)::int;
  yl int := (y & 16777215)::int;
  y_after boolean := yf > xl;
  x_after boolean := xf > yl;
  sentence int;
BEGIN
  IF NOT y_after AND NOT x_after THEN RETURN false; END IF;
  IF unit = 0 THEN
    RETURN (y_after AND yf - xl <= distance) OR (NOT ordered AND x_after AND xf - yl <= distance);
  ELSIF unit = 1 THEN
    sentence := ns_sentence(starts, xf);
    RETURN ns_sentence(starts, xl) = sentence AND ns_sentence(starts, yf) = sentence AND ns_sentence(starts, yl) = sentence;
  END IF;
  RETURN true;
END $$;

-- proximity.ts, solveChain: the occurrences of each operand (tagged with its number) that take
-- part in a complete chain, untagged, or NULL when no chain satisfies every connector. Links
-- come as triples (unit, distance, ordered 0/1), links[i] joining operands i and i + 1.
CREATE FUNCTION ns_chain(occurrences int8[], links int[], starts int[]) RETURNS int8[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  operands int := cardinality(links) / 3 + 1;
  reached int8[] := '{}';
  previous int8[] := '{}';
  here int8[];
  useful int8[];
  x int8;
  y int8;
  u int;
  d int;
  o boolean;
BEGIN
  FOREACH x IN ARRAY occurrences LOOP
    IF x >> 48 = 0 THEN previous := previous || x; END IF;
  END LOOP;
  IF cardinality(previous) = 0 THEN RETURN NULL; END IF;
  reached := previous;
  FOR i IN 1..operands - 1 LOOP
    u := links[3 * i - 2]; d := links[3 * i - 1]; o := links[3 * i] = 1;
    here := '{}';
    FOREACH y IN ARRAY occurrences LOOP
      CONTINUE WHEN y >> 48 <> i;
      FOREACH x IN ARRAY previous LOOP
        IF ns_linked(u, d, o, x, y, starts) THEN here := here || y; EXIT; END IF;
      END LOOP;
    END LOOP;
    IF cardinality(here) = 0 THEN RETURN NULL; END IF;
    reached := reached || here;
    previous := here;
  END LOOP;
  useful := previous;
  FOR i IN REVERSE operands - 2..0 LOOP
    u := links[3 * i + 1]; d := links[3 * i + 2]; o := links[3 * i + 3] = 1;
    here := '{}';
    FOREACH x IN ARRAY reached LOOP
      CONTINUE WHEN x >> 48 <> i;
      FOREACH y IN ARRAY previous LOOP
        IF ns_linked(u, d, o, x, y, starts) THEN here := here || x; EXIT; END IF;
      END LOOP;
    END LOOP;
    useful := useful || here;
    previous := here;
  END LOOP;
  RETURN ARRAY(SELECT v & 281474976710655 FROM unnest(useful) AS v);
END $$;
`,
  },
  {
    version: 2,
    name: 'articles.byline',
    sql: String.raw`
-- Who wrote the article, as credited (SPEC §2). Stored and returned, not indexed: NULL for
-- every article written before, which is what those articles said (no byline was read then).
ALTER TABLE articles ADD COLUMN byline text;
`,
  },
  {
    version: 3,
    name: 'article numbers, posting blocks',
    sql: String.raw`
-- A number for each version of an article (a new one on every write that changes it): postings
-- name paragraphs by it, four bytes instead of the id. Numbers of an existing corpus follow the
-- order of its ids.
CREATE SEQUENCE article_numbers AS int;
ALTER TABLE articles ADD COLUMN art int;
UPDATE articles AS a SET art = s.art FROM (SELECT article_id, row_number() OVER (ORDER BY article_id)::int AS art FROM articles) AS s
  WHERE a.article_id = s.article_id;
SELECT setval('article_numbers', coalesce((SELECT max(art) FROM articles), 1), (SELECT count(*) > 0 FROM articles));
ALTER TABLE articles ALTER COLUMN art SET DEFAULT nextval('article_numbers'), ALTER COLUMN art SET NOT NULL;
ALTER SEQUENCE article_numbers OWNED BY articles.art;
CREATE UNIQUE INDEX articles_art ON articles (art);

-- The postings of each stem lexeme (postings.ts), in blocks of up to a few thousand entries of
-- 10 bytes: the article's number (4), the paragraph's number (2; for a title lexeme, the
-- article's paragraph count), the term frequency (2) and the field length (2), big-endian.
-- Entries of a block are in the order they were written (by article number, mostly); blocks by
-- their number. A search reads the blocks of its stems and nothing of the paragraph rows.
-- first_art / last_art: the lowest and highest article number of the block, to find an
-- article's entries when it is replaced or deleted.
CREATE TABLE postings (
  lexeme text COLLATE "C" NOT NULL,
  block int NOT NULL,
  first_art int NOT NULL,
  last_art int NOT NULL,
  entries int NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (lexeme, block)
);
-- Blocks are read whole and are mostly numbers that compress poorly: no compression to undo.
ALTER TABLE postings ALTER COLUMN data SET STORAGE EXTERNAL;

INSERT INTO postings (lexeme, block, first_art, last_art, entries, data)
SELECT lexeme, (rank - 1) / 2048, min(art), max(art), count(*)::int, string_agg(entry, ''::bytea ORDER BY rank)
FROM (
  SELECT lexeme, art, entry, row_number() OVER (PARTITION BY lexeme ORDER BY art, slot) AS rank
  FROM (
    SELECT e.key AS lexeme, a.art, p.n AS slot,
      int4send(a.art) || substring(int4send(p.n) FROM 3) || substring(int4send(e.value::int) FROM 3) || substring(int4send(p.text_length) FROM 3) AS entry
    FROM paragraphs AS p JOIN articles AS a ON a.article_id = p.article_id CROSS JOIN LATERAL jsonb_each_text(p.tf) AS e
    WHERE left(e.key, 1) = 's'
    UNION ALL
    SELECT e.key, a.art, 0,
      int4send(a.art) || substring(int4send(a.paragraph_count) FROM 3) || substring(int4send(e.value::int) FROM 3) || substring(int4send(p.title_length) FROM 3)
    FROM paragraphs AS p JOIN articles AS a ON a.article_id = p.article_id CROSS JOIN LATERAL jsonb_each_text(p.tf) AS e
    WHERE p.n = 1 AND left(e.key, 1) = 't'
  ) AS entries
) AS ranked
GROUP BY lexeme, (rank - 1) / 2048;
`,
  },
  {
    // 4, not 3: the posting blocks of the search work are 3.
    version: 4,
    name: 'copy clusters',
    sql: String.raw`
-- Copy detection (SPEC §10, src/news/copies.ts). Per article: its word 5-shingle hashes (sorted
-- 32-bit integers, little-endian), the hash of its words when it has one paragraph, and its
-- cluster: the id of the cluster's earliest article, NULL when it has no copy. Under Citus:
-- distributed by article_id with the articles.
CREATE TABLE copy_prints (
  article_id text COLLATE "C" PRIMARY KEY,
  shingles bytea NOT NULL,
  single int,
  cluster text COLLATE "C"
);
CREATE INDEX copy_prints_cluster ON copy_prints (cluster) WHERE cluster IS NOT NULL;

-- The LSH index: each article under each of its band keys. Looked up by key across all
-- articles (under Citus: distributed by key, or a reference table).
CREATE TABLE copy_keys (
  key int NOT NULL,
  article_id text COLLATE "C" NOT NULL,
  PRIMARY KEY (key, article_id)
);
CREATE INDEX copy_keys_article ON copy_keys (article_id);

-- Pairs of articles found to be copies, each in both directions.
CREATE TABLE copy_pairs (
  a text COLLATE "C" NOT NULL,
  b text COLLATE "C" NOT NULL,
  PRIMARY KEY (a, b)
);
`,
  },
  {
    // 5: 3 and 4 are taken by other work (posting blocks, copy clusters).
    version: 5,
    name: 'feed subscriptions',
    sql: String.raw`
-- Feed subscriptions (SPEC §11, src/backends/feed-store.ts): one row per subscribed URL, with
-- what its polls found. next_poll_at doubles as a lease: a server claiming a due feed moves it
-- ahead in the same statement, so several servers on one database poll each feed once. Small
-- and read by every server: under Citus, a reference table.
CREATE TABLE feeds (
  feed_id text COLLATE "C" PRIMARY KEY,
  url text NOT NULL,
  title text,
  interval_minutes int NOT NULL,
  created_at timestamptz NOT NULL,
  etag text,
  last_modified text,
  last_success timestamptz,
  last_result jsonb,
  last_error jsonb,
  failures int NOT NULL DEFAULT 0,
  next_poll_at timestamptz NOT NULL
);
CREATE INDEX feeds_next_poll_at ON feeds (next_poll_at);
`,
  },
  {
    version: 6,
    name: 'whether a copy backfill is due',
    sql: String.raw`
-- Whether articles written before copy detection (migration 4) still lack their copy prints:
-- set here, cleared by the backfill of a start once it has recorded them all (copies.ts). Every
-- write since migration 4 records its own prints, so it is never set again, and a start reads one
-- row instead of comparing every article with the prints. Under Citus: a reference table.
CREATE TABLE copy_backfill (due boolean NOT NULL);
INSERT INTO copy_backfill
SELECT EXISTS (SELECT 1 FROM articles AS a WHERE NOT EXISTS (SELECT 1 FROM copy_prints AS c WHERE c.article_id = a.article_id));
`,
  },
  {
    version: 7,
    name: 'LSH index by distinct print',
    sql: String.raw`
-- Articles with the same shingles and single-paragraph hash (a story run word for word by many
-- outlets) are copies of each other, and any other article is a copy of all of them or of none
-- unless their words decide (copies.ts). The LSH index files each distinct print once, so a key
-- leads to a story's prints, not to each of its hundred copies. A print is the MD5 of the shingles
-- and the single-paragraph hash, computed by the database on every write.
ALTER TABLE copy_prints ADD COLUMN print bytea NOT NULL
  GENERATED ALWAYS AS (decode(md5(shingles || CASE WHEN single IS NULL THEN '\x00'::bytea ELSE '\x01'::bytea || int4send(single) END), 'hex')) STORED;
CREATE INDEX copy_prints_print ON copy_prints (print, article_id);
CREATE TABLE copy_print_keys (
  key int NOT NULL,
  print bytea NOT NULL,
  PRIMARY KEY (key, print)
);
CREATE INDEX copy_print_keys_print ON copy_print_keys (print);
INSERT INTO copy_print_keys SELECT DISTINCT k.key, p.print FROM copy_keys AS k JOIN copy_prints AS p USING (article_id);
DROP TABLE copy_keys;
`,
  },
  {
    version: 8,
    name: 'block frontiers, title-only articles per stem',
    sql: String.raw`
-- What a single word's search needs to find its best paragraphs and its exact total without
-- reading all its postings (term-top.ts). Per block, its frontier: the (term frequency, field
-- length) pairs of its entries that no other entry beats on both (as many frequencies as
-- lengths, flattened: tf, length, tf, length, …, by length). BM25 grows with the frequency and
-- falls with the length, so the best score in the block is one of theirs, whatever the corpus
-- statistics. Per stem: the articles whose title holds it and none of whose paragraphs' text
-- does (each such article is one hit of the word, its first paragraph).
ALTER TABLE postings ADD COLUMN frontier int[];
UPDATE postings AS p SET frontier = f.frontier
FROM (
  SELECT lexeme, block, array_agg(x ORDER BY length, o) AS frontier
  FROM (
    SELECT lexeme, block, tf, length, best_before
    FROM (
      SELECT lexeme, block, tf, length,
        max(tf) OVER (PARTITION BY lexeme, block ORDER BY length, tf DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS best_before
      FROM (
        SELECT DISTINCT lexeme, block, get_byte(data, i * 10 + 6) * 256 + get_byte(data, i * 10 + 7) AS tf,
          get_byte(data, i * 10 + 8) * 256 + get_byte(data, i * 10 + 9) AS length
        FROM postings CROSS JOIN LATERAL generate_series(0, entries - 1) AS i
      ) AS pairs
    ) AS ranked
    WHERE best_before IS NULL OR tf > best_before
  ) AS kept CROSS JOIN LATERAL (VALUES (tf, 1), (length, 2)) AS v(x, o)
  GROUP BY lexeme, block
) AS f
WHERE p.lexeme = f.lexeme AND p.block = f.block;
ALTER TABLE postings ALTER COLUMN frontier SET NOT NULL;

ALTER TABLE stems ADD COLUMN title_only int NOT NULL DEFAULT 0;
UPDATE stems AS s SET title_only = c.articles
FROM (
  SELECT substr(t.key, 2) AS stem, count(*)::int AS articles
  FROM paragraphs AS p CROSS JOIN LATERAL jsonb_object_keys(p.tf) AS t(key)
  WHERE p.n = 1 AND left(t.key, 1) = 't'
    AND NOT EXISTS (SELECT 1 FROM paragraphs AS q WHERE q.article_id = p.article_id AND q.tf ? ('s' || substr(t.key, 2)))
  GROUP BY 1
) AS c
WHERE s.stem = c.stem;
`,
  },
  {
    version: 9,
    name: 'word pairs in the tsvector',
    sql: String.raw`
-- A phrase without slop looks up the pairs of its words that follow each other (lexemes.ts,
-- pairLexeme: 'p' and the two word keys in the text, 'q' in the title), not its words: its
-- candidates are then the paragraphs where its words stand side by side, not every paragraph
-- holding them somewhere. Each paragraph's tsvector gains the pairs of its words and of its
-- article's title, computed here from the stored word arrays; the index is built again after
-- (updating it row by row would cost more).
CREATE FUNCTION pg_temp.ns_pairs(words text[], namespace text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_agg(DISTINCT namespace || words[i] || ' ' || words[i + 1]), '{}')
  FROM generate_series(1, coalesce(cardinality(words), 0) - 1) AS i
$$;
DROP INDEX paragraphs_tsv;
UPDATE paragraphs AS p SET tsv = p.tsv || array_to_tsvector(pg_temp.ns_pairs(p.words, 'p') || pg_temp.ns_pairs(a.title_words, 'q'))
FROM articles AS a
WHERE a.article_id = p.article_id;
CREATE INDEX paragraphs_tsv ON paragraphs USING gin (tsv);
DROP FUNCTION pg_temp.ns_pairs(text[], text);
`,
  },
  {
    version: 10,
    name: 'small posting blocks in their rows',
    sql: String.raw`
-- A block is stored in its row, not in TOAST, while the row fits a page (up to about 790
-- entries): most blocks, those of all but the commonest words. A search reads the other terms'
-- blocks where its candidates' articles lie, often thousands of small ones, and each block in
-- TOAST costs a second index lookup and fetch: at 100x Reuters, 2,388 blocks of "bank" took
-- 30 to 36 ms from TOAST, 16 to 19 ms from their rows. Blocks written from now on stay in their
-- rows when they fit; those already in TOAST are brought back (the concatenation makes a
-- value of its own, which the table's new target then keeps in the row). The old versions and
-- their TOAST are garbage until vacuumed.
ALTER TABLE postings SET (toast_tuple_target = 8160);
UPDATE postings SET data = data || ''::bytea WHERE length(data) <= 7600;
`,
  },
  {
    version: 11,
    name: 'block ranges by lexeme',
    sql: String.raw`
-- A search of the posting blocks first reads where each of its lexemes' blocks lie (number,
-- first and last article, entries): from this index alone, not from the rows, which hold the
-- blocks' data since migration 10 (at 100x Reuters, the 3,410 ranges of "bank" and "sovereign"
-- in under a millisecond of the database's time).
CREATE INDEX postings_ranges ON postings (lexeme) INCLUDE (block, first_art, last_art, entries);
`,
  },
  {
    version: 12,
    name: 'posting blocks in order of lexeme',
    sql: String.raw`
-- The table rewritten in the order of its primary key: each lexeme's blocks side by side, no
-- dead versions. Batches write a block per lexeme each, so a common word's blocks were spread
-- over the whole table, among the other words of their batch, and its dead versions (rewritten
-- blocks, migration 10) with them: at 100x Reuters the table and its TOAST went from 5.9 GB to
-- 3.3 GB, and with a cold cache the two-term queries' median from 66-76 to 43 ms. The index
-- named here is remembered: CLUSTER postings (what an import of a tenth of an archive or more
-- runs at its end, postings.ts) orders blocks written since the same way. Searches wait for the
-- rewrite (about 40 s at 100x Reuters).
CLUSTER postings USING postings_pkey;
ANALYZE postings;
`,
  },
  {
    version: 13,
    name: 'article ids and dates in the index of article numbers',
    sql: String.raw`
-- A search's page names its hits, and the ties that decide it (the hundred copies of a story
-- score alike), by article number; their ids and dates now come from this index alone (an
-- index-only scan), not from the articles' rows: at 100x Reuters, 100 random articles took
-- 5.8 ms with their rows (99 of the table's pages read from disk), 1.5 ms from the index alone;
-- the index is 122 MB, the table 688 MB. Same name, same uniqueness.
CREATE UNIQUE INDEX articles_art_keys ON articles (art) INCLUDE (article_id, date);
DROP INDEX articles_art;
ALTER INDEX articles_art_keys RENAME TO articles_art;
`,
  },
  {
    version: 14,
    name: 'posting blocks visible to index-only scans',
    sql: String.raw`
-- A search reads where a word's blocks lie from postings_ranges alone (an index-only scan) only
-- on pages the visibility map marks all-visible, and CLUSTER (migration 12, orderPostings) leaves
-- the map empty: every range then cost a read of its block's page too (at 100x Reuters, 3,659
-- heap fetches and 7.3 ms for iowa march; 0 and 2.2 ms once vacuumed). The VACUUM that marks
-- them runs after this transaction (VACUUM cannot run in one); autovacuum keeps the map up as
-- batches rewrite blocks, here after 1% of the blocks changed instead of 20% (at 100x
-- Reuters 31,000 instead of 620,000).
ALTER TABLE postings SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01);
`,
    after: 'VACUUM (ANALYZE) postings',
  },
];
