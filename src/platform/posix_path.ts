/**
 * Path arithmetic by POSIX rules, for hosts without Node's path module (a browser, where the
 * strings are URL paths). Matches Node's `path.posix` on the cases keras-ts uses.
 */

function normalizeParts(parts: string[], absolute: boolean): string[] {
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
    } else {
      out.push(part);
    }
  }
  return out;
}

function normalize(path: string): string {
  const absolute = path.startsWith("/");
  const body = normalizeParts(path.split("/"), absolute).join("/");
  if (absolute) return `/${body}`;
  return body === "" ? "." : body;
}

export function join(...parts: string[]): string {
  const joined = parts.filter((p) => p !== "").join("/");
  return joined === "" ? "." : normalize(joined);
}

export function isAbsolute(path: string): boolean {
  return path.startsWith("/");
}

/** Resolves against "/" (a browser has no working directory). */
export function resolve(...parts: string[]): string {
  let path = "";
  for (let i = parts.length - 1; i >= 0 && !isAbsolute(path); i--) {
    if (parts[i] !== "") path = path === "" ? parts[i] : `${parts[i]}/${path}`;
  }
  return normalize(isAbsolute(path) ? path : `/${path}`);
}

function trimTrailing(path: string): string {
  let end = path.length;
  while (end > 1 && path[end - 1] === "/") end--;
  return path.slice(0, end);
}

export function dirname(path: string): string {
  const trimmed = trimTrailing(path);
  const at = trimmed.lastIndexOf("/");
  if (at < 0) return ".";
  if (at === 0) return "/";
  return trimTrailing(trimmed.slice(0, at));
}

export function basename(path: string): string {
  const trimmed = trimTrailing(path);
  return trimmed === "/" ? "" : trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

export function extname(path: string): string {
  const base = basename(path);
  const at = base.lastIndexOf(".");
  return at <= 0 ? "" : base.slice(at);
}
