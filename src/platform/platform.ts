/**
 * The platform seam: everything keras-ts needs from its host that is not plain JavaScript — files,
 * environment variables, the console, garbage collection, compression, the HDF5 reader's worker,
 * rasterizing pictures. Only the host modules (./node.ts, ./browser.ts) touch Node's modules or the
 * DOM; the rest of keras-ts asks `platform()`.
 *
 * Which host: this module imports ./node.js, and the package's `browser` field maps that file to
 * ./browser.js, so a bundler building for the browser (esbuild, webpack, Vite, Rollup, Parcel) takes
 * the browser host and no Node module is reachable from the bundle. `setPlatform` swaps the host at
 * run time (tests run the browser host in Node this way). Two more modules have a browser twin in
 * that field, each a loader of Node-only code: the native addon (src/backend/native/addon.ts) and
 * the wasm backend's Node loader.
 */
import type { H5Group } from "../saving/h5_io.js";
import { host } from "./node.js";

/** Where text output goes: `process.stdout` in Node, or anything with `write`. */
export interface TextStream {
  write(text: string): unknown;
  /** True where `\r` redraws a line in place (a terminal, a page's text element). */
  isTTY?: boolean;
  /** Width in characters, where known. */
  columns?: number;
}

/** What a path names, when it names anything. */
export interface FileInfo {
  kind: "file" | "directory" | "other";
  size: number;
}

/** A read of an HDF5 file, with its time limit (null: none), or a write. */
export interface Hdf5Host {
  /** Runs one request in the HDF5 reader (a worker where the host has one) and gives its answer. */
  read(bytes: Uint8Array, name: string, timeLimitMs: number): Promise<H5Group>;
  /** Reads an HDF5 file by path without copying it through JavaScript where the host can. */
  readFile(path: string, timeLimitMs: (size: number) => number): Promise<H5Group>;
  write(tree: H5Group, trackOrder: boolean): Promise<Uint8Array>;
}

export interface SvgToPngOptions {
  /** Background fill; transparent when omitted. */
  background?: string;
  /** Output width in pixels (height follows the aspect ratio); the SVG's own size when omitted. */
  width?: number;
}

/** Bytes kept by name in the host's own storage: IndexedDB in a browser (`indexeddb://name`). */
export interface ByteStore {
  get(name: string): Promise<Uint8Array | undefined>;
  put(name: string, bytes: Uint8Array): Promise<void>;
  delete(name: string): Promise<boolean>;
  list(): Promise<string[]>;
}

export interface Platform {
  /** "node" or "browser". */
  readonly name: string;
  /** Whether paths name files on a disk (Node); in a browser every location is a URL. */
  readonly hasFileSystem: boolean;

  /** An environment variable, or undefined (a browser has none). */
  env(name: string): string | undefined;
  /** Where progress bars, `summary()` and `imshow` write unless told otherwise. */
  stdout(): TextStream;
  /** A warning for the user (stderr in Node, the console in a browser). */
  warn(message: string): void;
  /** A full garbage collection where the host allows one; otherwise nothing. */
  collectGarbage(): void;
  /** Resolves in a later task of the event loop, after I/O (Node) or rendering (a browser) had a turn. */
  nextTask(): Promise<void>;
  /**
   * In a browser, a `nextTask()` once the page has not had a turn for a while (so that a training
   * loop keeps the page drawing and answering); undefined otherwise, and always in Node.
   */
  maybeYield(): Promise<void> | undefined;

  /** The bytes of a file (Node) or of a URL (http(s):, and in a browser any URL relative to the page). */
  readFile(path: string): Promise<Uint8Array>;
  /** At most the first `length` bytes of a file. */
  readFileHead(path: string, length: number): Promise<Uint8Array>;
  /** `location` as an absolute URL where it is one (in a browser, relative to the page); else as is. */
  absoluteUrl(location: string): string;
  /** The same, synchronously; only where the host has a file system. */
  readFileSync(path: string): Uint8Array;
  /** What `path` is, or undefined when nothing is there (or the host has no file system). */
  fileInfo(path: string): Promise<FileInfo | undefined>;
  /** Writes a whole file atomically: a failed write leaves any previous file as it was. */
  writeFileAtomic(path: string, bytes: Uint8Array): Promise<void>;
  /** Creates the file empty (`append: false`) or adds text to its end. */
  writeText(path: string, text: string, append: boolean): Promise<void>;
  /** Creates a folder and its parents. */
  makeDirectory(path: string): Promise<void>;
  /** Path arithmetic of the host (Node's path module; POSIX rules in a browser). */
  readonly path: {
    join(...parts: string[]): string;
    dirname(path: string): string;
    basename(path: string): string;
    extname(path: string): string;
    resolve(...parts: string[]): string;
    isAbsolute(path: string): boolean;
  };
  /** The user's home folder, where the host has one. */
  homeDir(): string | undefined;
  /** Where an installed npm package's files are (Node), or undefined. */
  packageDir(name: string): string | undefined;

  gunzipSync(bytes: Uint8Array): Uint8Array;
  gunzip(bytes: Uint8Array): Promise<Uint8Array>;
  /** Raw deflate, `size` the expected output length (a hint). */
  inflateRawSync(bytes: Uint8Array, size: number): Uint8Array;
  /** zip's CRC-32 where the host has a fast one. */
  readonly crc32: ((bytes: Uint8Array) => number) | undefined;
  sha256(bytes: Uint8Array): Promise<string>;

  /** HDF5 (h5wasm) behind a wall that a corrupt file cannot break through. */
  readonly hdf5: Hdf5Host;
  /** Rasterizes SVG to PNG bytes. */
  svgToPng(svg: string, options?: SvgToPngOptions): Promise<Uint8Array>;
  /** `indexeddb://` storage, or undefined where the host has none. */
  readonly byteStore: ByteStore | undefined;
  /** Hands bytes to the user as a downloaded file (a browser); undefined elsewhere. */
  readonly download: ((fileName: string, bytes: Uint8Array) => void) | undefined;
}

let current: Platform = host;

/** The host keras-ts runs on. */
export function platform(): Platform {
  return current;
}

/** Replaces the host (tests; an embedder with its own file system). Returns the previous one. */
export function setPlatform(next: Platform): Platform {
  const previous = current;
  current = next;
  return previous;
}

let output: TextStream | undefined;

/**
 * Where progress bars, `model.summary()` and `imshow` write by default: the stream given to
 * `setTextOutput`, else the host's (process.stdout; the console in a browser).
 */
export function textOutput(): TextStream {
  return output ?? current.stdout();
}

/**
 * `keras.utils.setTextOutput(stream)`: sends keras-ts's text output (progress bars, summaries) to
 * `stream`, e.g. a page element (`keras.utils.textElementStream(pre)`); `undefined` restores the
 * default. Returns the previous setting.
 */
export function setTextOutput(stream: TextStream | undefined): TextStream | undefined {
  const previous = output;
  output = stream;
  return previous;
}

/** The host chosen at build time (the one `platform()` gives unless `setPlatform` changed it). */
export function defaultPlatform(): Platform {
  return host;
}
