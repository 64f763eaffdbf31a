/**
 * A gzip-compressed ustar archive of a directory, and its reading back (node:zlib only): what a
 * certification bundle is shipped as. Regular files and directories only; names up to ustar's limits
 * (100 characters, or a 155-character prefix and a 100-character name).
 */
import { gunzipSync, gzipSync } from 'node:zlib';

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function splitName(name: string): { prefix: string; name: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', name };
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== '/') continue;
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return { prefix, name: rest };
  }
  throw new Error(`the path ${name} is too long for a tar archive`);
}

function header(name: string, size: number, type: '0' | '5', mtime: number): Buffer {
  const block = Buffer.alloc(BLOCK, 0);
  const split = splitName(name);
  block.write(split.name, 0, 100, 'utf8');
  block.write(octal(type === '5' ? 0o755 : 0o644, 8), 100, 8, 'ascii');
  block.write(octal(0, 8), 108, 8, 'ascii');
  block.write(octal(0, 8), 116, 8, 'ascii');
  block.write(octal(size, 12), 124, 12, 'ascii');
  block.write(octal(mtime, 12), 136, 12, 'ascii');
  block.write('        ', 148, 8, 'ascii');
  block.write(type, 156, 1, 'ascii');
  block.write('ustar\0', 257, 6, 'ascii');
  block.write('00', 263, 2, 'ascii');
  block.write(split.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return block;
}

/**
 * The archive of `entries` (paths with `/`, relative; a directory's name ends with `/`), under the top folder
 * `root`, gzip-compressed. `mtime` in seconds (the same for every entry: the archive depends on the content only).
 */
export function tarGz(root: string, entries: readonly { path: string; data: Buffer | null }[], mtime: number): Buffer {
  const parts: Buffer[] = [header(`${root}/`, 0, '5', mtime)];
  for (const entry of entries) {
    if (entry.data === null) {
      parts.push(header(`${root}/${entry.path.replace(/\/?$/, '/')}`, 0, '5', mtime));
      continue;
    }
    parts.push(header(`${root}/${entry.path}`, entry.data.length, '0', mtime), entry.data);
    const pad = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return gzipSync(Buffer.concat(parts));
}

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

/**
 * The regular files of a .tar.gz, by path (the archive's own paths, `/`-separated). Throws a plain Error
 * naming what is wrong when the data is not a gzip-compressed tar archive.
 */
export function untarGz(data: Buffer): Map<string, Buffer> {
  let tar: Buffer;
  try {
    tar = gunzipSync(data);
  } catch (error) {
    throw new Error(`not gzip data (${(error as Error).message})`);
  }
  const files = new Map<string, Buffer>();
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const block = tar.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) break;
    const name = field(block, 0, 100);
    const prefix = field(block, 345, 155);
    const size = Number.parseInt(field(block, 124, 12).trim() || '0', 8);
    const type = field(block, 156, 1) || '0';
    if (!Number.isSafeInteger(size) || size < 0) throw new Error(`a bad size in the entry header at byte ${offset}`);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] as number);
    if (sum !== Number.parseInt(field(block, 148, 8).trim(), 8))
      throw new Error(`a bad checksum in the entry header at byte ${offset}`);
    offset += BLOCK;
    if (offset + size > tar.length) throw new Error(`the entry ${name} is cut short`);
    if (type === '0')
      files.set(prefix === '' ? name : `${prefix}/${name}`, Buffer.from(tar.subarray(offset, offset + size)));
    offset += Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}
