/**
 * keras-ts's host in a browser (a page or a Web Worker): every location is a URL read with
 * `fetch`, relative to the page; saving goes to IndexedDB (`indexeddb://name`) or a download
 * (`downloads://name.keras`); text output goes to the console unless `keras.utils.setTextOutput`
 * sends it to an element; HDF5 runs in a Web Worker; SVG is rasterized by the browser itself.
 * The package's `browser` field puts this module in place of ./node.ts in browser bundles.
 */
import { gunzipSync, inflateSync } from "fflate";
import { browserHdf5 } from "./browser_hdf5.js";
import { browserGlobals, requireDocument, type IdbDatabase, type IdbObjectStore } from "./dom.js";
import type { ByteStore, Platform, SvgToPngOptions, TextStream } from "./platform.js";
import * as posix from "./posix_path.js";

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function noFileSystem(what: string, location: string): Error {
  return new Error(
    `${what} "${location}": a web page has no file system. Load from a URL, save with "indexeddb://name" (the browser's storage) or "downloads://name.keras" (a download)`,
  );
}

/** `location` as an absolute URL: relative ones are relative to the page (or the worker's script). */
function absoluteUrl(location: string): URL {
  const g = browserGlobals();
  const base = g.document?.baseURI ?? g.location?.href;
  try {
    return base === undefined ? new URL(location) : new URL(location, base);
  } catch (error) {
    throw new Error(`"${location}" is not a URL: ${reasonOf(error)}`, { cause: error });
  }
}

async function fetchBytes(location: string): Promise<Uint8Array> {
  const url = absoluteUrl(location).href;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`cannot fetch ${url}: ${reasonOf(error)}`, { cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`cannot fetch ${url}: HTTP ${response.status} ${response.statusText}`.trimEnd());
  }
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * The console as a text stream: whole lines go to `console.log`; a progress bar's `\r` redraws
 * replace the pending line, so only its final state is logged.
 */
function consoleStream(): TextStream {
  let pending = "";
  return {
    isTTY: false,
    write(text: string) {
      const lines = (pending + text).split("\n");
      pending = lines.pop()!;
      for (const line of lines) console.log(line.slice(line.lastIndexOf("\r") + 1));
      pending = pending.slice(pending.lastIndexOf("\r") + 1);
    },
  };
}

let stdout: TextStream | undefined;

// ---------------------------------------------------------------------------------------------
// Turns of the event loop

let lastYield = 0;

function now(): number {
  return browserGlobals().performance?.now() ?? Date.now();
}

function nextTask(): Promise<void> {
  const g = browserGlobals();
  const resumed = (resolve: () => void) => () => {
    lastYield = now();
    resolve();
  };
  if (g.MessageChannel === undefined) return new Promise((resolve) => g.setTimeout(resumed(resolve), 0));
  // A message task runs as soon as the page has had its turn; setTimeout(0) would wait 4 ms more.
  const channel = new g.MessageChannel();
  return new Promise((resolve) => {
    channel.port1.onmessage = () => {
      // An open port would keep a non-browser host (the tests' V8 context in Node) alive.
      channel.port1.close();
      resumed(resolve)();
    };
    channel.port2.postMessage(null);
  });
}

/** How long a training loop may hold the page: about three frames. */
const BUSY_MS = 50;

function maybeYield(): Promise<void> | undefined {
  return now() - lastYield >= BUSY_MS ? nextTask() : undefined;
}

// ---------------------------------------------------------------------------------------------
// IndexedDB

const DB_NAME = "keras-ts";
const STORE = "files";

let database: Promise<IdbDatabase> | undefined;

function openDatabase(): Promise<IdbDatabase> {
  const idb = browserGlobals().indexedDB;
  if (idb === undefined) return Promise.reject(new Error("indexeddb:// locations need IndexedDB, which this page does not have (a private window may turn it off)"));
  database ??= new Promise<IdbDatabase>((resolve, reject) => {
    const request = idb.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new Error(`cannot open IndexedDB "${DB_NAME}": ${request.error?.message ?? "unknown error"}`));
    request.onblocked = () => reject(new Error(`IndexedDB "${DB_NAME}" is held open by another tab with an older version`));
  });
  database.catch(() => {
    database = undefined;
  });
  return database;
}

async function inStore<T>(mode: "readonly" | "readwrite", body: (store: IdbObjectStore) => { result: T } | { onsuccess: (() => void) | null; result: T }): Promise<T> {
  const db = await openDatabase();
  return new Promise<T>((resolve, reject) => {
    const transaction = db.transaction(STORE, mode);
    const request = body(transaction.objectStore(STORE));
    transaction.oncomplete = () => resolve(request.result);
    const failed = (): void => reject(new Error(`IndexedDB: ${transaction.error?.message ?? "the transaction failed"}`));
    transaction.onerror = failed;
    transaction.onabort = failed;
  });
}

const indexedDbStore: ByteStore = {
  async get(name) {
    const value = await inStore("readonly", (store) => store.get(name));
    if (value === undefined) return undefined;
    if (value instanceof Uint8Array) return value;
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    throw new Error(`indexeddb://${name} holds something keras-ts did not write`);
  },
  async put(name, bytes) {
    await inStore("readwrite", (store) => store.put(bytes, name));
  },
  async delete(name) {
    const count = await inStore("readonly", (store) => store.count(name));
    if (count === 0) return false;
    await inStore("readwrite", (store) => store.delete(name));
    return true;
  },
  async list() {
    const keys = await inStore("readonly", (store) => store.getAllKeys());
    return keys.map(String).sort();
  },
};

// ---------------------------------------------------------------------------------------------
// Pictures and downloads

/** The browser draws the SVG into a canvas and encodes the canvas as PNG. */
async function svgToPng(svg: string, options: SvgToPngOptions = {}): Promise<Uint8Array> {
  const g = browserGlobals();
  const document = requireDocument("rasterizing a picture to PNG");
  if (g.Blob === undefined || g.URL.createObjectURL === undefined) throw new Error("rasterizing a picture to PNG needs Blob URLs");
  const url = g.URL.createObjectURL(new g.Blob([svg], { type: "image/svg+xml" }));
  try {
    const image = document.createElement("img");
    image.src = url;
    await image.decode();
    const width = Math.max(1, Math.round(options.width ?? image.naturalWidth));
    const height = Math.max(1, Math.round((image.naturalHeight * width) / Math.max(1, image.naturalWidth)));
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d");
    if (context === null) throw new Error("rasterizing a picture to PNG: the canvas has no 2D context");
    if (options.background !== undefined) {
      context.fillStyle = options.background;
      context.fillRect(0, 0, width, height);
    }
    context.drawImage(image, 0, 0, width, height);
    const blob = await new Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>((resolve) => canvas.toBlob(resolve, "image/png"));
    if (blob === null) throw new Error("rasterizing a picture to PNG: the canvas could not be encoded");
    return new Uint8Array(await blob.arrayBuffer());
  } finally {
    g.URL.revokeObjectURL?.(url);
  }
}

function download(fileName: string, bytes: Uint8Array): void {
  const g = browserGlobals();
  const document = requireDocument(`downloading "${fileName}"`);
  if (g.Blob === undefined || g.URL.createObjectURL === undefined) throw new Error(`downloading "${fileName}" needs Blob URLs`);
  const url = g.URL.createObjectURL(new g.Blob([bytes], { type: "application/octet-stream" }));
  const link = document.createElement("a");
  link.setAttribute("href", url);
  link.setAttribute("download", fileName);
  link.style.display = "none";
  (document.body ?? requireDocument("downloading").body)?.appendChild(link);
  link.click();
  link.remove();
  // The click has started the download; the URL can go once the browser has read it.
  g.setTimeout(() => g.URL.revokeObjectURL?.(url), 60_000);
}

// ---------------------------------------------------------------------------------------------

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

export const host: Platform = {
  name: "browser",
  hasFileSystem: false,

  env: () => undefined,
  stdout: () => (stdout ??= consoleStream()),
  warn(message) {
    console.warn(message);
  },
  collectGarbage() {
    // A page cannot ask for a collection.
  },
  nextTask,
  maybeYield,

  readFile: fetchBytes,
  readFileHead: async (location, length) => (await fetchBytes(location)).subarray(0, length),
  absoluteUrl: (location) => absoluteUrl(location).href,
  readFileSync(location) {
    throw new Error(`cannot read "${location}" synchronously in a browser; use the asynchronous loader (it fetches the URL)`);
  },
  // No paths here, only URLs: nothing is a file or a folder.
  fileInfo: async () => undefined,
  async writeFileAtomic(location) {
    throw noFileSystem("cannot write", location);
  },
  async writeText(location) {
    throw noFileSystem("cannot write", location);
  },
  async makeDirectory(location) {
    throw noFileSystem("cannot create the folder", location);
  },
  path: posix,
  homeDir: () => undefined,
  packageDir: () => undefined,

  gunzipSync: (bytes) => gunzipSync(bytes),
  gunzip: async (bytes) => gunzipSync(bytes),
  inflateRawSync: (bytes, size) => (size >= 0 && size <= 1032 * bytes.length + 64 ? inflateSync(bytes, { out: new Uint8Array(size) }) : inflateSync(bytes)),
  crc32: undefined,
  async sha256(bytes) {
    const subtle = browserGlobals().crypto?.subtle;
    if (subtle === undefined) throw new Error("checking a SHA-256 needs crypto.subtle, which a page has only over https or on localhost");
    return hex(new Uint8Array(await subtle.digest("SHA-256", bytes)));
  },

  hdf5: browserHdf5(fetchBytes),
  svgToPng,
  byteStore: indexedDbStore,
  download,
};
