/**
 * @module backends/embedded/integers
 * Arrays of 32-bit integers in the snapshot's JSON lines: base64 of their little-endian bytes,
 * read back with one copy where JSON numbers are parsed one by one.
 */

/** 32-bit integers as base64 of their little-endian bytes (unsigned ones read back as signed: `>>> 0` restores them). */
export function encodeIntegers(values: ArrayLike<number>): string {
  const table = values instanceof Int32Array ? values : Int32Array.from(values);
  let bytes = Buffer.from(table.buffer, table.byteOffset, table.byteLength);
  if (!LITTLE_ENDIAN) {
    bytes = Buffer.alloc(table.byteLength);
    for (const [index, value] of table.entries()) bytes.writeInt32LE(value, 4 * index);
  }
  return bytes.toString('base64');
}

/** The integers of {@link encodeIntegers}, or `undefined` when `text` cannot hold them. */
export function decodeIntegers(text: string): Int32Array | undefined {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0) return undefined;
  const table = new Int32Array(bytes.length / 4);
  if (LITTLE_ENDIAN) new Uint8Array(table.buffer).set(bytes);
  else for (let index = 0; index < table.length; index += 1) table[index] = bytes.readInt32LE(4 * index);
  return table;
}

/** Whether this machine's typed arrays are little-endian, as the snapshot's integers are. */
const LITTLE_ENDIAN = new Uint8Array(Int32Array.of(1).buffer)[0] === 1;

