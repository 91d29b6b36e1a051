/**
 * keras-ts's host in Node: the file system, process.env and process.stdout, zlib and crypto, V8's
 * garbage collector, HDF5 in a worker thread, resvg for PNG pictures. A browser bundle gets
 * ./browser.ts instead (the package's `browser` field), so nothing here reaches a browser.
 */
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import v8 from "node:v8";
import vm from "node:vm";
import * as zlib from "node:zlib";
import { nodeHdf5 } from "./node_hdf5.js";
import type { FileInfo, Platform, SvgToPngOptions } from "./platform.js";

const gunzipAsync = promisify(zlib.gunzip);

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------------------------
// Garbage collection

/*
 * A full garbage collection on demand. V8 frees an unreachable ArrayBuffer's memory only when it
 * collects the old generation, which it starts when new buffers have grown by tens of MB since
 * the last collection. A training loop that reuses its memory allocates little, so the arrays a
 * program dropped while preparing its data (MNIST's uint8 images once rebound to float32: 55 MB)
 * can stay resident for the whole of `fit`. `fit` collects once before it starts.
 */

let collect: (() => void) | null | undefined;

/** V8's `gc()`, obtained by exposing it for one new context only; null where that is not possible. */
function collector(): (() => void) | null {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString("--expose-gc");
      const gc = vm.runInNewContext("gc") as unknown;
      collect = typeof gc === "function" ? (gc as () => void) : null;
    } catch {
      collect = null;
    } finally {
      // Later contexts (the user's vm contexts) do not get a `gc` global.
      try {
        v8.setFlagsFromString("--no-expose-gc");
      } catch {
        // Nothing to undo.
      }
    }
  }
  return collect;
}

// ---------------------------------------------------------------------------------------------
// Files

/** Temporary files this process is writing now: never stale. */
const inFlight = new Set<string>();

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes what killed saves of the same target left behind: `.<name>.<pid>.<random>.tmp` files
 * whose process is gone (or is this one, when no save of ours is writing them).
 */
async function removeStaleTempFiles(dir: string, baseName: string): Promise<void> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return; // The write itself reports a missing folder.
  }
  const prefix = `.${baseName}.`;
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(".tmp")) continue;
    const match = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(name.slice(prefix.length));
    if (match === null) continue;
    const pid = Number(match[1]);
    const file = path.join(dir, name);
    if (inFlight.has(file) || (pid !== process.pid && processIsAlive(pid))) continue;
    await fsp.rm(file, { force: true }).catch(() => {});
  }
}

/**
 * Writes `bytes` to `filePath` atomically: into a temporary file next to it (same directory, so
 * the same file system), flushed with fsync, then renamed over `filePath`. On any failure the
 * temporary file is removed and `filePath` is left as it was; temporary files of the same target
 * left by a save that was killed are removed first. A symlink at `filePath` is followed
 * (its target is replaced); an existing file's permission bits are kept.
 */
async function writeFileAtomic(filePath: string, bytes: Uint8Array): Promise<void> {
  let target = path.resolve(filePath);
  let mode: number | undefined;
  try {
    const info = await fsp.lstat(target);
    if (info.isSymbolicLink()) {
      target = await fsp.realpath(target);
      mode = (await fsp.stat(target)).mode & 0o7777;
    } else {
      mode = info.mode & 0o7777;
    }
  } catch {
    // No previous file (or a dangling link): nothing to preserve.
  }
  const dir = path.dirname(target);
  await removeStaleTempFiles(dir, path.basename(target));
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  inFlight.add(tmp);
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(tmp, "wx");
    await handle.writeFile(bytes);
    if (mode !== undefined) await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fsp.rename(tmp, target);
  } catch (error) {
    if (handle !== undefined) await handle.close().catch(() => {});
    await fsp.rm(tmp, { force: true }).catch(() => {});
    throw new Error(`cannot write "${filePath}": ${reasonOf(error)}`, { cause: error });
  } finally {
    inFlight.delete(tmp);
  }
  // Make the rename itself durable; not every platform can fsync a directory.
  try {
    const dirHandle = await fsp.open(dir, "r");
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  } catch {
    // Best effort.
  }
}

function isHttpUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new Error(`cannot fetch ${url}: ${reasonOf(error)}${cause ? ` (${cause})` : ""}`, { cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`cannot fetch ${url}: HTTP ${response.status} ${response.statusText}`.trimEnd());
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** A view of a Node Buffer's bytes as a plain Uint8Array (whose `slice` copies, as users expect). */
function plainBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

// ---------------------------------------------------------------------------------------------
// Compression

/**
 * zlib options that make it write its output into one buffer of the right size instead of 16 kB
 * chunks joined by a copy at the end; `size` is trusted only as far as deflate can expand
 * (1032:1). A wrong size costs only that copy again (several chunks are joined) or unused
 * address space. One more byte than the output, so zlib sees room left and allocates no further
 * chunk; zlib takes chunks of 64 bytes or more, and small outputs gain nothing anyway.
 */
function chunkFor(size: number, compressedBytes: number): { chunkSize?: number } {
  return size >= 64 && size < 2 ** 31 && size <= 1032 * compressedBytes ? { chunkSize: size + 1 } : {};
}

/** A gzip stream's output size from its trailer (modulo 2^32). */
function gzipSize(bytes: Uint8Array): number {
  if (bytes.length < 18) return 0;
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(bytes.length - 4, true);
}

// ---------------------------------------------------------------------------------------------
// Pictures

/*
 * SVG is what keras-ts draws; PNG is rasterized from it by resvg (a mature SVG renderer, shipped
 * as a prebuilt binary inside its npm package). Text uses DejaVu Sans from the npm package
 * `dejavu-fonts-ttf`, so pictures render the same on a machine with no system fonts.
 */

function fontFiles(): string[] {
  const require = createRequire(import.meta.url);
  const dir = path.join(path.dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf");
  return ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf"].map((f) => path.join(dir, f));
}

async function svgToPng(svg: string, options: SvgToPngOptions = {}): Promise<Uint8Array> {
  const { Resvg } = await import("@resvg/resvg-js");
  const renderer = new Resvg(svg, {
    background: options.background,
    fitTo: options.width === undefined ? { mode: "original" } : { mode: "width", value: options.width },
    font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
  });
  return renderer.render().asPng();
}

// ---------------------------------------------------------------------------------------------

export const host: Platform = {
  name: "node",
  hasFileSystem: true,

  env: (name) => process.env[name],
  stdout: () => process.stdout,
  warn(message) {
    process.stderr.write(`${message}\n`);
  },
  collectGarbage() {
    collector()?.();
  },
  nextTask: () => new Promise((resolve) => setImmediate(resolve)),
  // Node draws nothing: a training loop need not let it.
  maybeYield: () => undefined,

  async readFile(location) {
    if (isHttpUrl(location)) return fetchBytes(location);
    return plainBytes(await fsp.readFile(location));
  },
  async readFileHead(location, length) {
    const handle = await fsp.open(location, "r");
    try {
      const head = new Uint8Array(length);
      const { bytesRead } = await handle.read(head, 0, length, 0);
      return head.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  },
  absoluteUrl: (location) => location,
  readFileSync: (location) => plainBytes(fs.readFileSync(location)),
  async fileInfo(location): Promise<FileInfo | undefined> {
    try {
      const info = await fsp.stat(location);
      return { kind: info.isFile() ? "file" : info.isDirectory() ? "directory" : "other", size: info.size };
    } catch {
      return undefined;
    }
  },
  writeFileAtomic,
  async writeText(location, text, append) {
    if (append) await fsp.appendFile(location, text);
    else await fsp.writeFile(location, text);
  },
  async makeDirectory(location) {
    await fsp.mkdir(location, { recursive: true });
  },
  path: {
    join: path.join,
    dirname: path.dirname,
    basename: path.basename,
    extname: path.extname,
    resolve: path.resolve,
    isAbsolute: path.isAbsolute,
  },
  homeDir: () => homedir(),
  packageDir(name) {
    try {
      return path.dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
    } catch {
      return undefined;
    }
  },

  gunzipSync: (bytes) => plainBytes(zlib.gunzipSync(bytes, chunkFor(gzipSize(bytes), bytes.length))),
  gunzip: async (bytes) => plainBytes(await gunzipAsync(bytes, chunkFor(gzipSize(bytes), bytes.length))),
  inflateRawSync: (bytes, size) => plainBytes(zlib.inflateRawSync(bytes, chunkFor(size, bytes.length))),
  crc32: typeof (zlib as { crc32?: unknown }).crc32 === "function" ? (bytes) => (zlib as unknown as { crc32(data: Uint8Array): number }).crc32(bytes) >>> 0 : undefined,
  sha256: async (bytes) => createHash("sha256").update(bytes).digest("hex"),

  hdf5: nodeHdf5,
  svgToPng,
  byteStore: undefined,
  download: undefined,
};
