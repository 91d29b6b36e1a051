/** Where datasets are cached, as in Keras: `$KERAS_HOME/datasets`, else `~/.keras/datasets`. */
import { stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/**
 * The directory datasets are cached in: `cacheDir` when given, else `$KERAS_HOME/datasets` when
 * KERAS_HOME is set, else `~/.keras/datasets` (the layout Python Keras uses, so its cache is shared).
 */
export function datasetsCacheDir(cacheDir?: string): string {
  if (cacheDir !== undefined && cacheDir !== "") return resolve(cacheDir);
  const kerasHome = process.env.KERAS_HOME;
  if (kerasHome !== undefined && kerasHome !== "") return resolve(kerasHome, "datasets");
  return join(homedir(), ".keras", "datasets");
}

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds each of `names` in `dir`, gzipped (`name.gz`, tried first) or not. Returns the paths in
 * order, or the names that are missing.
 */
export async function findFiles(dir: string, names: readonly string[]): Promise<{ paths: string[]; missing: string[] }> {
  const paths: string[] = [];
  const missing: string[] = [];
  for (const name of names) {
    const gz = join(dir, `${name}.gz`);
    const raw = join(dir, name);
    if (await isFile(gz)) paths.push(gz);
    else if (await isFile(raw)) paths.push(raw);
    else missing.push(name);
  }
  return { paths, missing };
}
