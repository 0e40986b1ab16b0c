/**
 * The address rule of URL ingest: named cases, and a property test against a brute-force check
 * (each refused range's prefix compared bit by bit, as text).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyAddress, REFUSED_RANGES } from '../../src/ingest/address-rules.ts';

/** An address as a string of 32 or 128 bits, written out the slow way. */
function bitsOf(address: string): string {
  if (address.includes('.') && !address.includes(':')) return address.split('.').map((part) => Number(part).toString(2).padStart(8, '0')).join('');
  const [left = '', right] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const l = groups(left);
  const r = right === undefined ? [] : groups(right);
  const all = right === undefined ? l : [...l, ...Array.from({ length: 8 - l.length - r.length }, () => '0'), ...r];
  return all.map((group) => parseInt(group, 16).toString(2).padStart(16, '0')).join('');
}

/** The oracle: refused when the address's first bits equal a refused range's, family for family. */
function refusedByBruteForce(address: string): boolean {
  const bits = bitsOf(address);
  return REFUSED_RANGES.some(({ cidr }) => {
    const [base = '', prefix = ''] = cidr.split('/');
    const baseBits = bitsOf(base);
    return baseBits.length === bits.length && bits.slice(0, Number(prefix)) === baseBits.slice(0, Number(prefix));
  });
}

const byte = fc.integer({ min: 0, max: 255 });
const group = fc.integer({ min: 0, max: 0xffff });
/** IPv4 addresses, half of them drawn near the refused ranges' first octets. */
const ipv4 = fc.oneof(
  fc.tuple(byte, byte, byte, byte),
  fc.tuple(fc.constantFrom(0, 10, 100, 127, 169, 172, 192, 198, 203, 224, 239, 240, 255), byte, byte, byte),
).map((parts) => parts.join('.'));
/** IPv6 addresses in full form (no `::`), some starting in the refused ranges, none carrying IPv4 (6to4, NAT64: tested by name). */
const ipv6 = fc
  .tuple(fc.oneof(group, fc.constantFrom(0, 0x100, 0x2001, 0xfc00, 0xfd12, 0xfe80, 0xfebf, 0xfec0, 0xff02)), fc.array(group, { minLength: 7, maxLength: 7 }))
  .filter(([first, rest]) => first !== 0x2002 && !(first === 0x64 && rest[0] === 0xff9b))
  .map(([first, rest]) => [first, ...rest].map((part) => part.toString(16)).join(':'));
/** Mostly-zero IPv6 addresses: the unspecified, loopback, IPv4-compatible and IPv4-mapped ranges. */
const lowIpv6 = fc.tuple(fc.constantFrom(0, 0xffff, 1), group, group).map(([marker, high, low]) => `0:0:0:0:0:${marker.toString(16)}:${high.toString(16)}:${low.toString(16)}`);

describe('classifyAddress', () => {
  it('agrees with a brute-force prefix check on any IPv4 and IPv6 address', () => {
    fc.assert(
      fc.property(fc.oneof(ipv4, ipv6, lowIpv6), (address) => {
        expect(classifyAddress(address).allowed).toBe(!refusedByBruteForce(address));
      }),
      { numRuns: 5000, seed: 18 },
    );
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.20.30.40', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT (shared)'],
    ['0.0.0.0', 'unspecified ("this network")'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved (broadcast included)'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1%eth0', 'link-local'],
    ['fd00::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped'],
    ['::ffff:8.8.8.8', 'IPv4-mapped'],
    ['2002:7f00:1::', 'loopback, carried in 6to4'],
    ['64:ff9b::192.168.0.1', 'private, carried in NAT64'],
    ['example.com', 'not an IP address'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(classifyAddress(address)).toEqual({ allowed: false, reason });
  });

  it.each(['8.8.8.8', '93.184.215.14', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '2002:808:808::', '64:ff9b::8.8.8.8'])('allows the public address %s', (address) => {
    expect(classifyAddress(address)).toEqual({ allowed: true });
  });
});
