/**
 * Where model files are read from and written to. A location is a file path (Node), a URL
 * (http(s):, blob:, data:; in a browser also a URL relative to the page), or one of the browser's
 * own places, named as TF.js names them:
 *
 *   indexeddb://name       the page's IndexedDB (database "keras-ts"), read and written
 *   downloads://name.keras  a file the browser downloads, written only
 */
import { platform } from "../platform/platform.js";

export const INDEXEDDB_SCHEME = "indexeddb://";
export const DOWNLOADS_SCHEME = "downloads://";

/** `indexeddb://` or `downloads://`: the browser's places. */
export function isStorageLocation(location: string): boolean {
  return location.startsWith(INDEXEDDB_SCHEME) || location.startsWith(DOWNLOADS_SCHEME);
}

/** A URL with a scheme fetch can read (a Windows drive letter is not one). */
export function isFetchUrl(location: string): boolean {
  return /^(https?:\/\/|blob:|data:)/i.test(location);
}

/** Whether `location` names a file on this host's disk. */
export function isLocalFile(location: string): boolean {
  return platform().hasFileSystem && !isFetchUrl(location) && !isStorageLocation(location);
}

function storageName(location: string, scheme: string): string {
  const name = location.slice(scheme.length);
  if (name.length === 0) throw new Error(`"${location}": give a name after ${scheme}`);
  return name;
}

function byteStore(location: string) {
  const store = platform().byteStore;
  if (store === undefined) throw new Error(`"${location}": IndexedDB exists in browsers only; in Node save to a file path`);
  return store;
}

/**
 * Fails at once, before any work, when `location` cannot be written here: a plain path or URL in a
 * web page, which has no file system.
 */
export function checkWritable(location: string, what: string): void {
  if (platform().hasFileSystem || isStorageLocation(location)) return;
  throw new Error(`${what}: cannot write "${location}": a web page has no file system; save with "indexeddb://name" (the browser's storage) or "downloads://name.keras" (a download)`);
}

/** The whole content of a location: a file, a URL, or an IndexedDB entry. */
export async function readLocation(location: string): Promise<Uint8Array> {
  if (location.startsWith(DOWNLOADS_SCHEME)) throw new Error(`cannot read "${location}": downloads:// is for saving only`);
  if (location.startsWith(INDEXEDDB_SCHEME)) {
    const store = byteStore(location);
    const name = storageName(location, INDEXEDDB_SCHEME);
    const bytes = await store.get(name);
    if (bytes === undefined) {
      const names = await store.list();
      throw new Error(`cannot read "${location}": IndexedDB holds nothing named "${name}" (it holds: ${names.length === 0 ? "nothing" : names.map((n) => JSON.stringify(n)).join(", ")})`);
    }
    return bytes;
  }
  try {
    return await platform().readFile(location);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(reason.startsWith("cannot ") ? reason : `cannot read "${location}": ${reason}`, { cause: error });
  }
}

/**
 * Writes a whole file to a location: a file (atomically), an IndexedDB entry, or a download
 * (whose file name is the part after downloads://).
 */
export async function writeLocation(location: string, bytes: Uint8Array): Promise<void> {
  if (location.startsWith(INDEXEDDB_SCHEME)) {
    await byteStore(location).put(storageName(location, INDEXEDDB_SCHEME), bytes);
    return;
  }
  if (location.startsWith(DOWNLOADS_SCHEME)) {
    const download = platform().download;
    if (download === undefined) throw new Error(`"${location}": downloads exist in browsers only; in Node save to a file path`);
    download(platform().path.basename(storageName(location, DOWNLOADS_SCHEME)), bytes);
    return;
  }
  await platform().writeFileAtomic(location, bytes);
}
