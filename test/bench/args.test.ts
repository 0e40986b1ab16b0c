import { describe, expect, it } from 'vitest';
import { DEFAULT_BENCH_OPTIONS, DEFAULT_CORPUS, parseBenchArgs } from '../../src/bench/args.ts';

describe('parseBenchArgs', () => {
  it('uses the team corpus and the defaults when given nothing', () => {
    expect(parseBenchArgs([])).toEqual({ ok: true, options: { corpusPath: DEFAULT_CORPUS, ...DEFAULT_BENCH_OPTIONS } });
  });

  it('reads the corpus path and every flag, spaced or with =', () => {
    const parsed = parseBenchArgs(['data.jsonl', '--scale', '4', '--queries=50', '--seconds', '2.5', '--connections', '4', '--seed', '9']);
    expect(parsed).toEqual({ ok: true, options: { corpusPath: 'data.jsonl', scale: 4, queries: 50, seconds: 2.5, connections: 4, seed: 9 } });
  });

  it('refuses a scale that is not a positive integer, naming the flag and value', () => {
    expect(parseBenchArgs(['--scale', '0'])).toEqual({ ok: false, message: '--scale must be an integer ≥ 1, got "0"' });
    expect(parseBenchArgs(['--scale', '1.5'])).toMatchObject({ ok: false });
    expect(parseBenchArgs(['--scale'])).toEqual({ ok: false, message: '--scale must be an integer ≥ 1, got ""' });
  });

  it('refuses an unknown option and a second corpus', () => {
    expect(parseBenchArgs(['--fast'])).toEqual({ ok: false, message: 'unknown option "--fast"' });
    expect(parseBenchArgs(['a.jsonl', 'b.jsonl'])).toMatchObject({ ok: false });
  });

  it('answers help for --help', () => {
    expect(parseBenchArgs(['x.jsonl', '--help'])).toEqual({ ok: 'help' });
  });
});
