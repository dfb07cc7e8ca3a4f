/**
 * The `.safetensors` tensor file format (https://github.com/huggingface/safetensors): an unsigned 64-bit
 * little-endian header length, a JSON header `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?}`,
 * then the raw little-endian tensor bytes, offsets counted from the end of the header.
 */
import * as fs from 'node:fs';
import { FileError, UsageError } from '../errors';
import { writeFileAtomic } from '../fsutil';

/** Element types this reader converts to float32 (integer ones appear e.g. as BN `num_batches_tracked`, I64). */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** One tensor read from a file: its stored element type, its shape (row-major) and its values as float32. */
export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array;
}

/** One tensor to write: shape (row-major) and float32 values, `data.length` = product of `shape`. */
export interface Float32TensorData {
  shape: number[];
  data: Float32Array;
}

/** Largest header accepted, in bytes (the reference implementation's limit). */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;

const BYTES_PER_ELEMENT: Record<SafetensorsDtype, number> = {
  F32: 4,
  F16: 2,
  BF16: 2,
  F64: 8,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** Reads every tensor of a `.safetensors` file, converted to float32; throws FileError on a malformed file. */
export function readSafetensors(file: string): Map<string, SafetensorsTensor> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    throw new FileError(file, `cannot open: ${(error as Error).message}`);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new FileError(file, 'not a regular file');
    const fileSize = stat.size;
    if (fileSize < 8) throw new FileError(file, `truncated: ${fileSize} bytes, too short for the 8-byte header length`);
    const lengthBytes = readExactly(file, fd, 0, 8);
    const headerLength = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getBigUint64(0, true);
    if (headerLength > BigInt(MAX_SAFETENSORS_HEADER_BYTES)) {
      throw new FileError(file, `header too large: ${headerLength} bytes (at most ${MAX_SAFETENSORS_HEADER_BYTES})`);
    }
    const headerBytes = Number(headerLength);
    if (8 + headerBytes > fileSize) {
      throw new FileError(file, `truncated: the header needs ${headerBytes} bytes but only ${fileSize - 8} follow`);
    }
    const dataStart = 8 + headerBytes;
    const entries = parseHeader(file, readExactly(file, fd, 8, headerBytes), fileSize - dataStart);
    const tensors = new Map<string, SafetensorsTensor>();
    for (const entry of entries) {
      const bytes = readExactly(file, fd, dataStart + entry.begin, entry.end - entry.begin);
      tensors.set(entry.name, { dtype: entry.dtype, shape: entry.shape, data: toFloat32(bytes, entry.dtype) });
    }
    return tensors;
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes float32 tensors as a `.safetensors` file (dtype F32, header padded to 8 bytes), atomically. */
export function writeSafetensors(file: string, tensors: Map<string, Float32TensorData>): void {
  const header: Record<string, { dtype: 'F32'; shape: number[]; data_offsets: [number, number] }> = {};
  let offset = 0;
  for (const [name, tensor] of tensors) {
    const count = tensor.shape.reduce((product, size) => product * size, 1);
    if (count !== tensor.data.length) {
      throw new UsageError(`tensor "${name}": shape [${tensor.shape.join(', ')}] holds ${count} values, data has ${tensor.data.length}`);
    }
    header[name] = { dtype: 'F32', shape: [...tensor.shape], data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  const json = JSON.stringify(header);
  const headerBytes = Math.ceil(Buffer.byteLength(json) / 8) * 8;
  const out = Buffer.alloc(8 + headerBytes + offset, 0x20);
  out.writeBigUInt64LE(BigInt(headerBytes), 0);
  out.write(json, 8, 'utf8');
  let position = 8 + headerBytes;
  for (const tensor of tensors.values()) {
    for (let i = 0; i < tensor.data.length; i++, position += 4) out.writeFloatLE(tensor.data[i], position);
  }
  writeFileAtomic(file, out);
}

/** Validates the JSON header against the number of data bytes that follow it. */
function parseHeader(file: string, bytes: Buffer, dataBytes: number): HeaderEntry[] {
  let header: unknown;
  try {
    header = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new FileError(file, `the header is not valid JSON (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new FileError(file, 'the header is not a JSON object');
  }
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const fail = (problem: string): never => {
      throw new FileError(file, `tensor "${name}": ${problem}`);
    };
    if (typeof value !== 'object' || value === null) fail('header entry is not an object');
    const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
    if (typeof dtype !== 'string' || !Object.hasOwn(BYTES_PER_ELEMENT, dtype)) {
      fail(`unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(BYTES_PER_ELEMENT).join(', ')})`);
    }
    if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
      fail(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataBytes) {
      fail(`offsets out of range: [${begin}, ${end}] in a data section of ${dataBytes} bytes (is the file truncated?)`);
    }
    const count = (shape as number[]).reduce((product, size) => product * size, 1);
    const expected = count * BYTES_PER_ELEMENT[dtype as SafetensorsDtype];
    if (end - begin !== expected) {
      fail(`offsets [${begin}, ${end}] span ${end - begin} bytes but ${dtype} [${(shape as number[]).join(', ')}] needs ${expected}`);
    }
    entries.push({ name, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin, end });
  }
  return entries;
}

/** Reads `length` bytes at byte `position`; FileError if the file ends first. */
function readExactly(file: string, fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const read = fs.readSync(fd, buffer, done, length - done, position + done);
    if (read === 0) throw new FileError(file, `truncated: ended at byte ${position + done}, expected ${length - done} more`);
    done += read;
  }
  return buffer;
}

/** Decodes little-endian elements of `dtype` to float32. */
function toFloat32(bytes: Buffer, dtype: SafetensorsDtype): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / BYTES_PER_ELEMENT[dtype]);
  const decode = DECODERS[dtype];
  for (let i = 0; i < out.length; i++) out[i] = decode(view, i);
  return out;
}

const DECODERS: Record<SafetensorsDtype, (view: DataView, index: number) => number> = {
  F32: (view, i) => view.getFloat32(4 * i, true),
  F16: (view, i) => halfToFloat(view.getUint16(2 * i, true)),
  BF16: (view, i) => bfloat16ToFloat(view.getUint16(2 * i, true)),
  F64: (view, i) => view.getFloat64(8 * i, true),
  I64: (view, i) => Number(view.getBigInt64(8 * i, true)),
  I32: (view, i) => view.getInt32(4 * i, true),
  I16: (view, i) => view.getInt16(2 * i, true),
  I8: (view, i) => view.getInt8(i),
  U8: (view, i) => view.getUint8(i),
  BOOL: (view, i) => (view.getUint8(i) === 0 ? 0 : 1),
};

/** The value of an IEEE 754 binary16 bit pattern. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const bfloat16Scratch = new DataView(new ArrayBuffer(4));

/** The value of a bfloat16 bit pattern (the upper half of a float32). */
export function bfloat16ToFloat(bits: number): number {
  bfloat16Scratch.setUint32(0, bits << 16);
  return bfloat16Scratch.getFloat32(0);
}
