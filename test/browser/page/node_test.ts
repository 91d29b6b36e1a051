/**
 * `node:test` in a page: `describe` and `test` register tests (with `skip`), `run` runs them in
 * order. The browser tests' bundles map `node:test` here, so suites written for Node (the backend
 * cross-checks) run in Chromium unchanged.
 */

type TestFn = (t: TestContext) => void | Promise<void>;
interface Options {
  skip?: boolean | string;
  timeout?: number;
}

export interface TestContext {
  name: string;
  after(fn: () => unknown): void;
  diagnostic(message: string): void;
}

export interface TestResult {
  name: string;
  status: "pass" | "fail" | "skip";
  ms: number;
  message?: string;
}

interface Registered {
  name: string;
  fn: TestFn;
  skip: boolean | string;
}

const registered: Registered[] = [];
const prefixes: string[] = [];
const skipping: (boolean | string)[] = [];

function args(a: unknown, b: unknown): { options: Options; fn: TestFn | undefined } {
  if (typeof a === "function") return { options: {}, fn: a as TestFn };
  return { options: (a ?? {}) as Options, fn: b as TestFn | undefined };
}

export function test(name: string, a?: Options | TestFn, b?: TestFn): void {
  const { options, fn } = args(a, b);
  const inherited = skipping.find((s) => s !== false && s !== undefined) ?? false;
  registered.push({ name: [...prefixes, name].join(" > "), fn: fn ?? (() => {}), skip: options.skip || inherited });
}

export const it = test;

export function describe(name: string, a?: Options | (() => void), b?: () => void): void {
  const { options, fn } = args(a, b);
  prefixes.push(name);
  skipping.push(options.skip ?? false);
  try {
    (fn as unknown as (() => void) | undefined)?.();
  } finally {
    prefixes.pop();
    skipping.pop();
  }
}

/** Runs the tests registered so far whose names match `filter`, in order, and forgets them. */
export async function run(filter: RegExp = /.*/, onResult: (r: TestResult) => void = () => {}): Promise<TestResult[]> {
  const results: TestResult[] = [];
  for (const entry of registered.splice(0)) {
    if (!filter.test(entry.name)) continue;
    const started = performance.now();
    let result: TestResult;
    if (entry.skip !== false && entry.skip !== undefined) {
      result = { name: entry.name, status: "skip", ms: 0, message: typeof entry.skip === "string" ? entry.skip : undefined };
    } else {
      const cleanups: (() => unknown)[] = [];
      const notes: string[] = [];
      try {
        await entry.fn({ name: entry.name, after: (f) => cleanups.push(f), diagnostic: (m) => notes.push(m) });
        result = { name: entry.name, status: "pass", ms: performance.now() - started, message: notes.join("; ") || undefined };
      } catch (error) {
        const e = error as Error;
        result = { name: entry.name, status: "fail", ms: performance.now() - started, message: `${e.message}\n${e.stack ?? ""}` };
      }
      for (const cleanup of cleanups.reverse()) await cleanup();
    }
    results.push(result);
    onResult(result);
  }
  return results;
}
