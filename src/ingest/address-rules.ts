/**
 * @module ingest/address-rules
 * Which IP addresses URL ingest may connect to (SPEC §11): public unicast only. Private,
 * loopback, link-local, unique-local, multicast, unspecified, CGNAT, reserved and documentation
 * ranges are refused, and so is every IPv4-mapped IPv6 address (a way to write any IPv4 address,
 * loopback included, as IPv6). 6to4 and NAT64 addresses are judged by the IPv4 address they
 * carry. Pure: an address that is not an IP address is refused, never an exception.
 */
import { isIP } from 'node:net';

/** A range of addresses: a family, its first address as a number, and the prefix length. */
type Range = { family: 4 | 6; base: bigint; prefix: number; reason: string };

/** What {@link classifyAddress} says of an address: allowed, or refused with the range's name. */
export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

/** The refused ranges, as CIDR text and the name a message gives them. */
const REFUSED_CIDRS: ReadonlyArray<readonly [string, string]> = [
  ['0.0.0.0/8', 'unspecified ("this network")'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT (shared)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved (broadcast included)'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'IPv4-compatible (deprecated)'],
  ['::ffff:0:0/96', 'IPv4-mapped'],
  ['100::/64', 'discard-only'],
  ['2001:db8::/32', 'documentation'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local (deprecated)'],
  ['ff00::/8', 'multicast'],
];

/** Matches an IPv4 address written at the end of an IPv6 one (`::ffff:127.0.0.1`). */
const TRAILING_IPV4_RE = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/;
/** Matches the zone of a scoped IPv6 address (`%eth0`), to its end (defined before the table below, which is parsed as the module loads). */
const ZONE_RE = /%.*$/;

const RANGES: readonly Range[] = REFUSED_CIDRS.map(([cidr, reason]) => parseRange(cidr, reason));
/** IPv6 ranges that carry an IPv4 address, judged by it: 6to4 (bits 16–47) and NAT64 (the last 32 bits). */
const SIXTO4 = { base: parseIPv6('2002::') as bigint, prefix: 16, shift: 80n };
const NAT64 = { base: parseIPv6('64:ff9b::') as bigint, prefix: 96, shift: 0n };


function parseRange(cidr: string, reason: string): Range {
  const [address = '', length = ''] = cidr.split('/');
  const family = isIP(address) === 4 ? 4 : 6;
  const base = family === 4 ? parseIPv4(address) : parseIPv6(address);
  if (base === null) throw new Error(`address-rules: bad range ${cidr}`);
  return { family, base, prefix: Number(length), reason };
}

/** `a.b.c.d` as a 32-bit number, or `null`. */
export function parseIPv4(text: string): bigint | null {
  if (isIP(text) !== 4) return null;
  return text.split('.').reduce((value, part) => (value << 8n) | BigInt(Number(part)), 0n);
}

/** An IPv6 address (with `::` and a trailing IPv4 part allowed; a zone `%eth0` ignored) as a 128-bit number, or `null`. */
export function parseIPv6(input: string): bigint | null {
  let text = input.replace(ZONE_RE, '');
  if (isIP(text) !== 6) return null;
  const trailing = TRAILING_IPV4_RE.exec(text);
  if (trailing !== null) {
    // The IPv4 part written as the two groups it stands for.
    const v4 = parseIPv4(trailing[2] as string);
    if (v4 === null) return null;
    text = `${trailing[1]}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [left = '', right] = text.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const leftGroups = groups(left);
  const rightGroups = right === undefined ? [] : groups(right);
  const all = right === undefined ? leftGroups : [...leftGroups, ...new Array<number>(8 - leftGroups.length - rightGroups.length).fill(0), ...rightGroups];
  if (all.length !== 8) return null;
  return all.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

function inRange(value: bigint, bits: number, base: bigint, prefix: number): boolean {
  const shift = BigInt(bits - prefix);
  return value >> shift === base >> shift;
}

/**
 * Whether URL ingest may connect to `address` (an IPv4 or IPv6 address as text).
 *
 * @example
 * classifyAddress('93.184.215.14') // { allowed: true }
 * classifyAddress('::ffff:127.0.0.1') // { allowed: false, reason: 'IPv4-mapped' }
 * classifyAddress('10.1.2.3') // { allowed: false, reason: 'private' }
 */
export function classifyAddress(address: string): AddressVerdict {
  const v4 = parseIPv4(address);
  if (v4 !== null) return verdictOf(v4, 4);
  const v6 = parseIPv6(address);
  if (v6 === null) return { allowed: false, reason: 'not an IP address' };
  const own = verdictOf(v6, 6);
  if (!own.allowed) return own;
  for (const carrier of [SIXTO4, NAT64]) {
    if (!inRange(v6, 128, carrier.base, carrier.prefix)) continue;
    const carried = verdictOf((v6 >> carrier.shift) & 0xffffffffn, 4);
    if (!carried.allowed) return { allowed: false, reason: `${carried.reason}, carried in ${carrier === SIXTO4 ? '6to4' : 'NAT64'}` };
  }
  return own;
}

function verdictOf(value: bigint, family: 4 | 6): AddressVerdict {
  const bits = family === 4 ? 32 : 128;
  const range = RANGES.find((candidate) => candidate.family === family && inRange(value, bits, candidate.base, candidate.prefix));
  return range === undefined ? { allowed: true } : { allowed: false, reason: range.reason };
}

/** The refused ranges as CIDR text, for tests and documentation. */
export const REFUSED_RANGES: ReadonlyArray<{ cidr: string; reason: string }> = REFUSED_CIDRS.map(([cidr, reason]) => ({ cidr, reason }));
