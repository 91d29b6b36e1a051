/**
 * Downloading dataset files: fetched whole, checked against a SHA-256, and only then written to
 * the cache (to a temporary file, renamed into place), so a corrupt or truncated transfer is
 * rejected and leaves nothing behind.
 */
import { platform } from "../platform/platform.js";

/** Where Keras downloads its datasets from. */
export const DEFAULT_BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/";
/** Environment variable overriding the base URL (a mirror, or a local server in tests). */
export const BASE_URL_ENV = "KERAS_TS_DATASETS_BASE_URL";
/** Environment variable that, set to 1 or true, turns downloads off. */
export const OFFLINE_ENV = "KERAS_TS_DATASETS_OFFLINE";

/**
 * What a downloaded file is checked against. A file passes when its own SHA-256 is `sha256`, or,
 * for a gzipped file, when the SHA-256 of its decompressed bytes is `contentSha256` (so a mirror
 * that recompressed the same data passes too).
 */
export interface Checksum {
  sha256?: string;
  contentSha256?: string;
}

/** Options shared by every dataset's `loadData`. */
export interface DownloadOptions {
  /** Base URL the files are fetched from; default `$KERAS_TS_DATASETS_BASE_URL`, else Keras's. */
  baseUrl?: string;
  /** Set false to never download (also `KERAS_TS_DATASETS_OFFLINE=1`). Default true. */
  download?: boolean;
  /**
   * SHA-256 per file name, replacing the built-in table (for a mirror serving other files, or
   * tests). The file, or for a gzipped file its decompressed bytes, must have this hash.
   */
  checksums?: Readonly<Record<string, string>>;
}

export function resolveBaseUrl(option?: string): string {
  const url = option ?? platform().env(BASE_URL_ENV) ?? DEFAULT_BASE_URL;
  return url.endsWith("/") ? url : `${url}/`;
}

export function downloadsEnabled(option?: boolean): boolean {
  if (option !== undefined) return option;
  const offline = (platform().env(OFFLINE_ENV) ?? "").toLowerCase();
  return !(offline === "1" || offline === "true" || offline === "yes");
}

export function expectedChecksum(fileName: string, table: Readonly<Record<string, Checksum>>, overrides?: Readonly<Record<string, string>>): Checksum {
  const override = overrides?.[fileName];
  if (override !== undefined) return { sha256: override.toLowerCase(), contentSha256: override.toLowerCase() };
  const known = table[fileName];
  if (known === undefined) throw new Error(`no checksum known for ${fileName}: pass one in the checksums option`);
  return known;
}

/** The SHA-256 of `bytes`, in hex. */
export function sha256(bytes: Uint8Array): Promise<string> {
  return platform().sha256(bytes);
}

/** A download that failed: `reason` says why, the message also names the file and URL. */
export class DownloadError extends Error {
  constructor(
    readonly fileName: string,
    readonly url: string,
    readonly reason: string,
  ) {
    super(`download of ${fileName} from ${url} failed: ${reason}`);
    this.name = "DownloadError";
  }
}

export interface Downloaded {
  fileName: string;
  bytes: Uint8Array;
  /** The decompressed bytes, when verification already had to gunzip them. */
  content?: Uint8Array;
}

function describeFetchError(error: unknown): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  const cause = e.cause ? ` (${e.cause.code ?? e.cause.message ?? String(e.cause)})` : "";
  return `${e.message}${cause}`;
}

/** Fetches `baseUrl + fileName` and checks it; throws a DownloadError saying why it was rejected. */
export async function fetchVerified(baseUrl: string, fileName: string, expected: Checksum): Promise<Downloaded> {
  const url = baseUrl + fileName;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new DownloadError(fileName, url, describeFetchError(error));
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new DownloadError(fileName, url, `HTTP ${response.status} ${response.statusText}`.trimEnd());
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw new DownloadError(fileName, url, `transfer broke off: ${describeFetchError(error)}; nothing was cached`);
  }
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared !== bytes.length && response.headers.get("content-encoding") === null) {
    throw new DownloadError(fileName, url, `truncated transfer: expected ${declared} bytes, got ${bytes.length}; nothing was cached`);
  }
  const fileHash = await sha256(bytes);
  if (expected.sha256 !== undefined && fileHash === expected.sha256) return { fileName, bytes };
  // A server that sent the .gz with Content-Encoding: gzip had it decompressed by fetch already.
  if (expected.contentSha256 !== undefined && fileHash === expected.contentSha256) return { fileName, bytes, content: bytes };
  const problems = [`sha256 ${fileHash} does not match the expected ${expected.sha256 ?? "(none)"}`];
  let content: Uint8Array | undefined;
  if (expected.contentSha256 !== undefined && bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      content = platform().gunzipSync(bytes);
    } catch (error) {
      throw new DownloadError(fileName, url, `corrupt: not a valid gzip file (${(error as Error).message}); nothing was cached`);
    }
    const contentHash = await sha256(content);
    if (contentHash === expected.contentSha256) return { fileName, bytes, content };
    problems.push(`the sha256 of its decompressed content, ${contentHash}, does not match the expected ${expected.contentSha256}`);
  }
  throw new DownloadError(fileName, url, `checksum mismatch: ${problems.join("; and ")}; the file is corrupt or not the expected one, so it was rejected and nothing was cached`);
}

/**
 * Writes verified bytes to `path` atomically: to a temporary file beside it, then renamed. If the
 * cache cannot be written (read-only home, full disk, a browser) a warning is emitted and false
 * returned; the caller goes on with the data in memory.
 */
export async function saveToCache(path: string, bytes: Uint8Array): Promise<boolean> {
  const host = platform();
  if (!host.hasFileSystem) return false;
  try {
    await host.makeDirectory(host.path.dirname(path));
    await host.writeFileAtomic(path, bytes);
    return true;
  } catch (error) {
    host.warn(`keras-ts datasets: could not cache ${path}: ${(error as Error).message}`);
    return false;
  }
}
