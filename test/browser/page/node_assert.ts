/**
 * `node:assert/strict` in a page (the browser tests' bundles map it here): the assertions the
 * suites use, with Node's strict semantics (Object.is for values, deep equality of arrays, typed
 * arrays and plain objects).
 */

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

function show(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}[${Array.from(value as unknown as ArrayLike<number>).slice(0, 12).join(", ")}${(value as unknown as ArrayLike<number>).length > 12 ? ", ..." : ""}]`;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 300 ? `${text.slice(0, 300)}...` : text;
  } catch {
    return String(value);
  }
}

function fail(message: string | Error | undefined, fallback: string): never {
  if (message instanceof Error) throw message;
  throw new AssertionError(message ?? fallback);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k))) return false;
    return true;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

function matches(error: unknown, expected: unknown): boolean {
  if (expected === undefined) return true;
  if (expected instanceof RegExp) return expected.test(error instanceof Error ? error.message : String(error)) || expected.test(String(error));
  if (typeof expected === "function") {
    if ((expected as { prototype?: unknown }).prototype !== undefined && error instanceof (expected as new () => unknown)) return true;
    return (expected as (e: unknown) => boolean)(error) === true;
  }
  if (typeof expected === "object" && expected !== null) {
    return Object.entries(expected).every(([k, v]) => {
      const actual = (error as Record<string, unknown>)[k];
      return v instanceof RegExp ? v.test(String(actual)) : deepEqual(actual, v);
    });
  }
  return false;
}

function ok(value: unknown, message?: string | Error): asserts value {
  if (!value) fail(message, `expected a truthy value, got ${show(value)}`);
}

function equal(actual: unknown, expected: unknown, message?: string | Error): void {
  if (!Object.is(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
}

function deepEqualAssert(actual: unknown, expected: unknown, message?: string | Error): void {
  if (!deepEqual(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
}

const assert = Object.assign(ok, {
  ok,
  AssertionError,
  equal,
  strictEqual: equal,
  deepEqual: deepEqualAssert,
  deepStrictEqual: deepEqualAssert,
  notEqual(actual: unknown, expected: unknown, message?: string | Error): void {
    if (Object.is(actual, expected)) fail(message, `expected a value other than ${show(expected)}`);
  },
  notDeepEqual(actual: unknown, expected: unknown, message?: string | Error): void {
    if (deepEqual(actual, expected)) fail(message, `expected something other than ${show(expected)}`);
  },
  match(text: string, pattern: RegExp, message?: string | Error): void {
    if (!pattern.test(text)) fail(message, `${show(text)} does not match ${pattern}`);
  },
  doesNotMatch(text: string, pattern: RegExp, message?: string | Error): void {
    if (pattern.test(text)) fail(message, `${show(text)} matches ${pattern}`);
  },
  fail(message?: string | Error): never {
    fail(message, "failed");
  },
  throws(fn: () => unknown, expected?: unknown, message?: string | Error): void {
    try {
      fn();
    } catch (error) {
      if (!matches(error, expected)) fail(message, `the error ${show((error as Error)?.message ?? error)} is not the one expected (${String(expected)})`);
      return;
    }
    fail(message, "expected the function to throw");
  },
  async rejects(promise: Promise<unknown> | (() => Promise<unknown>), expected?: unknown, message?: string | Error): Promise<void> {
    try {
      await (typeof promise === "function" ? promise() : promise);
    } catch (error) {
      if (!matches(error, expected)) fail(message, `the rejection ${show((error as Error)?.message ?? error)} is not the one expected (${String(expected)})`);
      return;
    }
    fail(message, "expected the promise to reject");
  },
});
export default assert;
