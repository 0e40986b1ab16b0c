/**
 * Group commit: batches posted while a write runs are committed together, each answered with its
 * own results and statuses, as if they had come one after the other; one batch's invalid article
 * refuses that batch alone.
 */
import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createGroupCommit } from '../../../src/backends/embedded/group-commit.ts';
import { createSerialQueue } from '../../../src/backends/embedded/serial-queue.ts';
import { isServiceError } from '../../../src/errors.ts';
import { makeArticle, wordyArticle, writableApp } from '../../helpers.ts';

describe('createGroupCommit', () => {
  it('commits the batches waiting behind a write as one, and gives each its own results', async () => {
    const queue = createSerialQueue();
    const commits: string[][] = [];
    const group = createGroupCommit(queue, async (items: string[]) => {
      commits.push(items);
      return items.map((item) => item.toUpperCase());
    });
    let release!: () => void;
    const busy = queue.run(() => new Promise<void>((resolve) => (release = resolve)));
    const answers = [group.submit(['a']), group.submit(['b', 'c']), group.submit(['d'])];
    await new Promise((resolve) => setImmediate(resolve)); // the busy task has started
    release();
    await busy;
    expect(await Promise.all(answers)).toEqual([['A'], ['B', 'C'], ['D']]);
    expect(commits).toEqual([['a', 'b', 'c', 'd']]);
    // With nothing running, a batch is committed on its own.
    expect(await group.submit(['e'])).toEqual(['E']);
    expect(commits).toHaveLength(2);
  });

  it('fails every batch of a group whose commit fails, and goes on with the next group', async () => {
    const queue = createSerialQueue();
    const group = createGroupCommit(queue, async (items: string[]) => {
      if (items.includes('bad')) throw new Error('disk full');
      return items;
    });
    let release!: () => void;
    const busy = queue.run(() => new Promise<void>((resolve) => (release = resolve)));
    const answers = [group.submit(['ok']), group.submit(['bad'])].map((answer) => answer.catch((error: Error) => error.message));
    await new Promise((resolve) => setImmediate(resolve)); // the busy task has started
    release();
    await busy;
    expect(await Promise.all(answers)).toEqual(['disk full', 'disk full']);
    expect(await group.submit(['fine'])).toEqual(['fine']);
  });
});

type Fixture = Awaited<ReturnType<typeof writableApp>>;
let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

describe('concurrent writes to the embedded backend', () => {
  it('are all written and searchable, each request answered with its own statuses', async () => {
    fixture = await writableApp({ articles: [makeArticle({ id: 'known', paragraphs: ['An old zebra.'] })] });
    const { service, corpusDir } = fixture;
    const singles = Array.from({ length: 12 }, (_, n) => service.ingest([makeArticle({ id: `single-${n}`, paragraphs: [`The zebra number${n} crossed.`] })]));
    const pair = service.ingest([makeArticle({ id: 'pair-a', paragraphs: ['A zebra pair.'] }), makeArticle({ id: 'pair-b', paragraphs: ['Another zebra.'] })]);
    const first = service.ingest([makeArticle({ id: 'twice', paragraphs: ['First zebra version.'] })]);
    const second = service.ingest([makeArticle({ id: 'twice', paragraphs: ['Second zebra version.'] })]);
    const update = service.ingest([makeArticle({ id: 'known', paragraphs: ['A new zebra.'] })]);
    const same = service.ingest([makeArticle({ id: 'known', paragraphs: ['A new zebra.'] })]);
    for (const [n, results] of (await Promise.all(singles)).entries()) expect(results).toEqual([{ id: `single-${n}`, status: 'created', paragraphs: 1 }]);
    expect((await pair).map((result) => result.status)).toEqual(['created', 'created']);
    expect((await first)[0]?.status).toBe('created');
    expect((await second)[0]?.status).toBe('updated');
    expect((await update)[0]?.status).toBe('updated');
    expect((await same)[0]?.status).toBe('unchanged');

    const response = await service.search('zebra', { ...(await import('../../../src/service/search-service.ts')).DEFAULT_SEARCH_PARAMS, limit: 100 });
    expect(response.total).toBe(12 + 2 + 1 + 1);
    expect((await service.getArticle('twice'))?.paragraphs).toEqual(['Second zebra version.']);
    expect((await service.search('second')).total).toBe(1);
    expect((await service.search('first')).total).toBe(0);
    const files = (await readdir(corpusDir)).filter((name) => !name.startsWith('.'));
    expect(files.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(files.sort()).toEqual(['known.json', 'pair-a.json', 'pair-b.json', 'twice.json', ...Array.from({ length: 12 }, (_, n) => `single-${n}.json`)].sort());
  });

  it('refuse only the request holding an invalid article, naming its own item', async () => {
    fixture = await writableApp();
    const { service } = fixture;
    const good = service.ingest([makeArticle({ id: 'good-1', paragraphs: ['Fine words.'] })]);
    const bad = service.ingest([makeArticle({ id: 'ok', paragraphs: ['Fine.'] }), wordyArticle('too-many', 50_001)]).catch((error: unknown) => error);
    const alsoGood = service.ingest([makeArticle({ id: 'good-2', paragraphs: ['More fine words.'] })]);
    expect((await good)[0]?.status).toBe('created');
    expect((await alsoGood)[0]?.status).toBe('created');
    const refusal = await bad;
    expect(isServiceError(refusal) && refusal.code).toBe('bad_request');
    expect((refusal as Error).message).toBe('item 2: paragraphs hold more than 50000 distinct terms; at most 50000 are accepted');
    expect(await service.getArticle('ok')).toBeUndefined();
    expect(await service.getArticle('too-many')).toBeUndefined();
  });
});
