/**
 * Helpers shared by the built-in callbacks: Keras's message printing (`io_utils.print_msg`),
 * Python-style warnings, Python's `repr(float)` and `str.format` (for ModelCheckpoint file names
 * and CSVLogger values), and reading / setting an optimizer's learning rate as Keras does.
 */

/** Keras's `io_utils.print_msg`: one line on stdout. */
export function printMsg(message: string): void {
  console.log(message);
}

const warned = new Set<string>();

/**
 * Python's `warnings.warn(message)` for a UserWarning, written to stderr. As with Python's default
 * warning filter, the same message is shown once per process.
 */
export function warn(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(`UserWarning: ${message}`);
}

// ---------------------------------------------------------------------------------------------
// Python number formatting

/** `repr(x)` of a Python float: `1.0`, `0.1`, `1e-05`, `1e+16`, `nan`, `inf`, `-0.0`. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  if (x === 0) return `${sign}0.0`;
  // Shortest round-trip digits (the same digits Python chooses).
  const [mantissa, expText] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exp = Number(expText);
  const decpt = exp + 1;
  if (decpt <= -4 || decpt > 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (decpt <= 0) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${"0".repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/** The exact value of |x| (finite) as `digits / 10^scale`. */
function exactDecimal(x: number): { digits: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const expBits = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (expBits === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = expBits - 1075;
  }
  if (e >= 0) return { digits: mant << BigInt(e), scale: 0 };
  return { digits: mant * 5n ** BigInt(-e), scale: -e };
}

/** round(|x| * 10^target), ties to even (Python's correctly rounded formatting). */
function roundScaled(x: number, target: number): bigint {
  const { digits, scale } = exactDecimal(x);
  if (target >= scale) return digits * 10n ** BigInt(target - scale);
  const div = 10n ** BigInt(scale - target);
  const q = digits / div;
  const twice = 2n * (digits % div);
  return twice > div || (twice === div && (q & 1n) === 1n) ? q + 1n : q;
}

/** |x| with `precision` digits after the point. */
function fixedDigits(x: number, precision: number): string {
  const s = roundScaled(x, precision).toString().padStart(precision + 1, "0");
  return precision === 0 ? s : `${s.slice(0, s.length - precision)}.${s.slice(s.length - precision)}`;
}

/** |x| rounded to `precision + 1` significant digits: the digit string and the decimal exponent. */
function sciParts(x: number, precision: number): { digits: string; exp: number } {
  if (x === 0) return { digits: "0".repeat(precision + 1), exp: 0 };
  const { digits, scale } = exactDecimal(x);
  let exp = digits.toString().length - 1 - scale;
  let n = roundScaled(x, precision - exp);
  if (n.toString().length > precision + 1) {
    exp += 1;
    n /= 10n;
  }
  return { digits: n.toString(), exp };
}

function expSuffix(exp: number, upper: boolean): string {
  return `${upper ? "E" : "e"}${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

function sciText(digits: string, exp: number, upper: boolean, keepPoint: boolean): string {
  const mantissa = digits.length > 1 || keepPoint ? `${digits[0]}.${digits.slice(1)}` : digits;
  return mantissa + expSuffix(exp, upper);
}

function stripZeros(s: string): string {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/** Python's general format ('g', or the no-type form with a precision when `noType`). */
function generalText(x: number, precision: number, upper: boolean, alt: boolean, noType: boolean): string {
  const p = precision === 0 ? 1 : precision;
  const { exp } = sciParts(x, p - 1);
  const fixedUpTo = noType ? p - 1 : p;
  let text: string;
  if (exp >= -4 && exp < fixedUpTo) {
    text = fixedDigits(x, p - 1 - exp);
    if (!alt) text = stripZeros(text);
    else if (!text.includes(".")) text += ".";
    if (noType && !text.includes(".")) text += ".0";
  } else {
    const parts = sciParts(x, p - 1);
    let mantissa = parts.digits.length > 1 ? `${parts.digits[0]}.${parts.digits.slice(1)}` : parts.digits;
    if (!alt) mantissa = stripZeros(mantissa);
    text = mantissa + expSuffix(parts.exp, upper);
  }
  return text;
}

/** Thrown when a template names a field that is not given (Python's KeyError). */
export class FormatKeyError extends Error {
  constructor(readonly key: string) {
    super(`'${key}'`);
    this.name = "KeyError";
  }
}

/** A value for `pyFormat`: a Python int, float or str. */
export type PyValue = { int: number } | { float: number } | { str: string };

interface Spec {
  fill?: string;
  align?: string;
  sign: string;
  z: boolean;
  alt: boolean;
  zero: boolean;
  width: number;
  grouping?: string;
  precision?: number;
  type?: string;
}

const SPEC = /^(?:([\s\S])?([<>=^]))?([+\- ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/;

function parseSpec(spec: string): Spec {
  const m = SPEC.exec(spec);
  if (m === null) throw new Error(`ValueError: Invalid format specifier '${spec}'`);
  return {
    fill: m[1],
    align: m[2],
    sign: m[3] ?? "-",
    z: m[4] !== undefined,
    alt: m[5] !== undefined,
    zero: m[6] !== undefined,
    width: m[7] === undefined ? 0 : Number(m[7]),
    grouping: m[8],
    precision: m[9] === undefined ? undefined : Number(m[9]),
    type: m[10],
  };
}

function group(intPart: string, sep: string | undefined, every = 3): string {
  if (sep === undefined || intPart.length <= every || !/^\d+$/.test(intPart)) return intPart;
  const out: string[] = [];
  for (let end = intPart.length; end > 0; end -= every) out.unshift(intPart.slice(Math.max(0, end - every), end));
  return out.join(sep);
}

function groupNumber(body: string, sep: string | undefined): string {
  if (sep === undefined) return body;
  const m = /^(\d+)(.*)$/s.exec(body);
  return m === null ? body : group(m[1], sep) + m[2];
}

function pad(sign: string, body: string, spec: Spec, defaultAlign: string): string {
  let fill = spec.fill ?? " ";
  let align = spec.align;
  if (spec.zero) {
    if (spec.fill === undefined) fill = "0";
    if (align === undefined) align = "=";
  }
  align ??= defaultAlign;
  const total = sign.length + body.length;
  const n = Math.max(0, spec.width - total);
  if (n === 0) return sign + body;
  switch (align) {
    case "<":
      return sign + body + fill.repeat(n);
    case "^":
      return fill.repeat(Math.floor(n / 2)) + sign + body + fill.repeat(n - Math.floor(n / 2));
    case "=":
      return sign + fill.repeat(n) + body;
    default:
      return fill.repeat(n) + sign + body;
  }
}

function signOf(negative: boolean, spec: Spec): string {
  if (negative) return "-";
  return spec.sign === "+" ? "+" : spec.sign === " " ? " " : "";
}

function formatFloat(x: number, spec: Spec, typeName: string): string {
  const type = spec.type;
  if (type !== undefined && "bcdoxX".includes(type)) {
    throw new Error(`ValueError: Unknown format code '${type}' for object of type '${typeName}'`);
  }
  if (spec.z && Object.is(x, -0)) x = 0;
  let negative = x < 0 || Object.is(x, -0);
  const upper = type !== undefined && "EFG".includes(type);
  let body: string;
  if (!Number.isFinite(x)) {
    body = Number.isNaN(x) ? "nan" : "inf";
    if (Number.isNaN(x)) negative = false;
    if (upper) body = body.toUpperCase();
    if (type === "%") body += "%";
  } else {
    const a = Math.abs(x);
    switch (type) {
      case "f":
      case "F":
        body = fixedDigits(a, spec.precision ?? 6);
        if (spec.alt && !body.includes(".")) body += ".";
        break;
      case "e":
      case "E": {
        const p = spec.precision ?? 6;
        const parts = sciParts(a, p);
        body = sciText(parts.digits, parts.exp, upper, spec.alt);
        break;
      }
      case "g":
      case "G":
      case "n":
        body = generalText(a, spec.precision ?? 6, upper, spec.alt, false);
        break;
      case "%": {
        const scaled = a * 100;
        body = (Number.isFinite(scaled) ? fixedDigits(scaled, spec.precision ?? 6) : "inf") + "%";
        break;
      }
      default:
        body = spec.precision === undefined ? pyFloatRepr(a) : generalText(a, spec.precision, false, spec.alt, true);
    }
    if (negative && /^[0.]*(?:e[+-]\d+)?%?$/i.test(body) && spec.z) negative = false;
  }
  return pad(signOf(negative, spec), groupNumber(body, spec.grouping), spec, ">");
}

function formatInt(v: number, spec: Spec): string {
  const type = spec.type;
  if (type !== undefined && "eEfFgG%".includes(type)) return formatFloat(v, spec, "int");
  if (type === "s") throw new Error("ValueError: Unknown format code 's' for object of type 'int'");
  if (spec.precision !== undefined) throw new Error("ValueError: Precision not allowed in integer format specifier");
  if (type === "c") return pad("", String.fromCodePoint(v), spec, "<");
  const a = Math.abs(v);
  let body: string;
  let prefix = "";
  switch (type) {
    case "b":
      body = a.toString(2);
      prefix = spec.alt ? "0b" : "";
      break;
    case "o":
      body = a.toString(8);
      prefix = spec.alt ? "0o" : "";
      break;
    case "x":
      body = a.toString(16);
      prefix = spec.alt ? "0x" : "";
      break;
    case "X":
      body = a.toString(16).toUpperCase();
      prefix = spec.alt ? "0X" : "";
      break;
    default:
      body = group(a.toString(), spec.grouping);
  }
  return pad(signOf(v < 0, spec) + prefix, body, spec, ">");
}

function formatStr(s: string, spec: Spec): string {
  if (spec.type !== undefined && spec.type !== "s") throw new Error(`ValueError: Unknown format code '${spec.type}' for object of type 'str'`);
  if (spec.sign !== "-" || spec.alt) throw new Error("ValueError: Sign not allowed in string format specifier");
  if (spec.align === "=") throw new Error("ValueError: '=' alignment not allowed in string format specifier");
  const body = spec.precision === undefined ? s : s.slice(0, spec.precision);
  return pad("", body, spec, "<");
}

/** `format(value, spec)` for a Python int, float or str. */
export function pyFormatValue(value: PyValue, spec: string): string {
  const s = parseSpec(spec);
  if ("str" in value) return formatStr(value.str, s);
  if ("int" in value) return formatInt(value.int, s);
  return formatFloat(value.float, s, "float");
}

/**
 * Python's `template.format(**values)`: `{name}`, `{name:spec}` (the format-spec mini-language:
 * fill, align, sign, `0`, width, grouping, precision, and the d/f/e/g/%/s/x... types), `{{`, `}}`.
 * A field whose name is not in `values` throws `FormatKeyError`, as Python raises KeyError.
 */
export function pyFormat(template: string, values: Readonly<Record<string, PyValue>>): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c === "}") {
      if (template[i + 1] !== "}") throw new Error("ValueError: Single '}' encountered in format string");
      out += "}";
      i += 2;
      continue;
    }
    if (c !== "{") {
      out += c;
      i += 1;
      continue;
    }
    if (template[i + 1] === "{") {
      out += "{";
      i += 2;
      continue;
    }
    const close = template.indexOf("}", i + 1);
    if (close < 0) throw new Error("ValueError: expected '}' before end of string");
    const field = template.slice(i + 1, close);
    if (field.includes("{")) throw new Error(`pyFormat: nested replacement fields are not supported: {${field}}`);
    const colon = field.indexOf(":");
    let head = colon < 0 ? field : field.slice(0, colon);
    const spec = colon < 0 ? "" : field.slice(colon + 1);
    let conversion: string | undefined;
    const bang = head.indexOf("!");
    if (bang >= 0) {
      conversion = head.slice(bang + 1);
      head = head.slice(0, bang);
      if (!["r", "s", "a"].includes(conversion)) throw new Error(`ValueError: Unknown conversion specifier ${conversion}`);
    }
    if (head === "" || /^\d+$/.test(head)) {
      throw new Error(`IndexError: Replacement index ${head === "" ? 0 : head} out of range for positional args tuple`);
    }
    const key = /^[^.[]+/.exec(head)![0];
    if (!(key in values)) throw new FormatKeyError(key);
    if (key !== head) throw new Error(`pyFormat: attribute and index lookups are not supported: {${head}}`);
    let value = values[key];
    if (conversion !== undefined) {
      const text = "str" in value ? (conversion === "s" ? value.str : `'${value.str}'`) : "int" in value ? String(value.int) : pyFloatRepr(value.float);
      value = { str: text };
    }
    out += pyFormatValue(value, spec);
    i = close + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Monitored quantities

export type MonitorOp = "less" | "greater";

// Keras 3 decides the direction of a metric from the metric object's `_direction` ("up" for the
// accuracy, AUC, precision/recall, F-score, IoU, R2, cosine-similarity and true-positive/negative
// metrics; "down" for errors, crossentropies, hinges, divergences, false positives/negatives).
// keras-ts metrics may carry `direction`; without it, the same table is applied to the name.
const UP_NAMES = [
  "precision",
  "recall",
  "f1_score",
  "fbeta_score",
  "r2_score",
  "cosine_similarity",
  "true_positives",
  "true_negatives",
  "iou",
  "sensitivity_at_specificity",
  "specificity_at_sensitivity",
  "pearson_correlation",
  "concordance_correlation",
];
const DOWN_NAMES = [
  "mse",
  "mae",
  "mape",
  "msle",
  "logcosh",
  "kl_divergence",
  "poisson",
  "false_positives",
  "false_negatives",
];

function hasName(name: string, list: readonly string[]): boolean {
  return list.some((n) => name === n || name.endsWith(`_${n}`));
}

function directionFromName(name: string): MonitorOp | undefined {
  if (name.endsWith("loss")) return "less";
  if (name.includes("acc") || name.includes("auc") || hasName(name, UP_NAMES)) return "greater";
  if (hasName(name, DOWN_NAMES) || /(?:error|crossentropy|hinge)$/.test(name)) return "less";
  return undefined;
}

/**
 * The comparison for `mode: "auto"`: "loss" (after removing a `val_` prefix) is minimized; else a
 * compiled metric's direction (`direction` / `_direction` of "up" or "down"); else the direction
 * of Keras's built-in metric of that name, with names containing "acc" or "auc" maximized.
 * Undefined when it cannot be inferred.
 */
export function inferMonitorOp(monitor: string, model: unknown): MonitorOp | undefined {
  const name = monitor.startsWith("val_") ? monitor.slice(4) : monitor;
  let op: MonitorOp | undefined = name === "loss" ? "less" : undefined;
  let metrics: unknown;
  try {
    metrics = (model as { metrics?: unknown } | undefined)?.metrics;
  } catch {
    metrics = undefined;
  }
  if (Array.isArray(metrics)) {
    // A container of metrics (the model's `compile_metrics`) is searched metric by metric, as Keras does.
    const all = metrics.flatMap((m: unknown) => {
      const held = (m as { metrics?: unknown } | null)?.metrics;
      return Array.isArray(held) ? held : [m];
    });
    for (const m of all as { name?: unknown; direction?: unknown; _direction?: unknown }[]) {
      if (m === null || typeof m !== "object" || m.name !== name) continue;
      const direction = m.direction ?? m._direction;
      if (direction === "up") op = "greater";
      else if (direction === "down") op = "less";
    }
  }
  return op ?? directionFromName(name);
}

export function compare(op: MonitorOp, a: number, b: number): boolean {
  return op === "less" ? a < b : a > b;
}

// ---------------------------------------------------------------------------------------------
// Learning rate

interface OptimizerLike {
  learningRate?: unknown;
  currentLearningRate?: unknown;
  iterations?: unknown;
}

function optimizerOf(model: unknown, who: string): OptimizerLike {
  const optimizer = (model as { optimizer?: OptimizerLike } | undefined)?.optimizer;
  if (optimizer === undefined || optimizer === null || !("learningRate" in optimizer)) {
    throw new Error(`${who}: Optimizer must have a "learningRate" attribute.`);
  }
  return optimizer;
}

/**
 * The optimizer's current learning rate as Keras reads it (`float(optimizer.learning_rate)`): a
 * schedule is evaluated at the current step, and the value is rounded to float32, since Keras
 * keeps the learning rate in a float32 variable.
 */
export function getLearningRate(model: unknown, who: string): number {
  const optimizer = optimizerOf(model, who);
  const lr = optimizer.learningRate;
  if (typeof lr === "number") return Math.fround(lr);
  if (typeof optimizer.currentLearningRate === "number") return Math.fround(optimizer.currentLearningRate);
  const call = (lr as { call?: unknown } | null)?.call;
  if (typeof call === "function") return Math.fround(call.call(lr, Number(optimizer.iterations ?? 0)) as number);
  throw new TypeError(`${who}: cannot read the optimizer's learning rate (got ${String(lr)})`);
}

/** `optimizer.learning_rate = value`; as in Keras, not allowed when it was built with a schedule. */
export function setLearningRate(model: unknown, value: number, who: string): void {
  const optimizer = optimizerOf(model, who);
  if (typeof optimizer.learningRate !== "number") {
    throw new TypeError(
      "This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` constructor argument, " +
        "hence its learning rate is not settable. If you need the learning rate to be settable, you should instantiate " +
        "the optimizer with a float `learning_rate` argument.",
    );
  }
  optimizer.learningRate = value;
}
