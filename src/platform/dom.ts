/**
 * The few browser APIs keras-ts uses, typed here rather than through TypeScript's DOM library:
 * keras-ts compiles without it, and its .d.ts must not need it in a user's Node project. Access
 * goes through `browserGlobals()`; a missing API is `undefined`, so callers say what is missing.
 */

export interface DomElement {
  readonly tagName: string;
  readonly ownerDocument: DomDocument;
  textContent: string | null;
  innerHTML: string;
  appendChild<T>(child: T): T;
  replaceChildren(...children: unknown[]): void;
  remove(): void;
  setAttribute(name: string, value: string): void;
  click(): void;
  readonly style: Record<string, string>;
}

export interface CanvasContext2D {
  readonly canvas: CanvasElement;
  fillStyle: unknown;
  drawImage(image: unknown, x: number, y: number, width?: number, height?: number): void;
  clearRect(x: number, y: number, width: number, height: number): void;
  fillRect(x: number, y: number, width: number, height: number): void;
  getImageData(x: number, y: number, width: number, height: number): { readonly data: Uint8ClampedArray; readonly width: number; readonly height: number };
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
}

export interface CanvasElement extends DomElement {
  width: number;
  height: number;
  getContext(kind: "2d"): CanvasContext2D | null;
  toBlob(callback: (blob: BlobLike | null) => void, type?: string): void;
}

export interface ImageElement extends DomElement {
  src: string;
  readonly naturalWidth: number;
  readonly naturalHeight: number;
  decode(): Promise<void>;
}

export interface DomDocument {
  readonly baseURI: string;
  readonly body: DomElement | null;
  createElement(tag: "canvas"): CanvasElement;
  createElement(tag: "img"): ImageElement;
  createElement(tag: string): DomElement;
}

export interface BlobLike {
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface WorkerLike {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  terminate(): void;
  addEventListener(type: "message" | "error" | "messageerror", listener: (event: { data?: unknown; message?: string }) => void): void;
  removeEventListener(type: "message" | "error" | "messageerror", listener: (event: { data?: unknown; message?: string }) => void): void;
}

interface IdbRequest<T> {
  result: T;
  error: { message: string } | null;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}

export interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  onupgradeneeded: (() => void) | null;
  onblocked: (() => void) | null;
}

export interface IdbObjectStore {
  get(key: string): IdbRequest<unknown>;
  put(value: unknown, key: string): IdbRequest<unknown>;
  delete(key: string): IdbRequest<unknown>;
  count(key: string): IdbRequest<number>;
  getAllKeys(): IdbRequest<unknown[]>;
}

export interface IdbTransaction {
  objectStore(name: string): IdbObjectStore;
  oncomplete: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  error: { message: string } | null;
}

export interface IdbDatabase {
  readonly objectStoreNames: { contains(name: string): boolean };
  createObjectStore(name: string): unknown;
  transaction(store: string, mode: "readonly" | "readwrite"): IdbTransaction;
  close(): void;
}

export interface BrowserGlobals {
  document?: DomDocument;
  location?: { href: string };
  indexedDB?: { open(name: string, version?: number): IdbOpenRequest };
  Worker?: new (url: string | URL, options?: { type?: "module" | "classic"; name?: string }) => WorkerLike;
  Blob?: new (parts: unknown[], options?: { type?: string }) => BlobLike;
  Image?: new () => ImageElement;
  MessageChannel?: new () => { port1: { onmessage: (() => void) | null; close(): void }; port2: { postMessage(message: unknown): void } };
  crypto?: { subtle?: { digest(algorithm: string, data: Uint8Array): Promise<ArrayBuffer> } };
  performance?: { now(): number };
  requestAnimationFrame?: (callback: (time: number) => void) => number;
  setTimeout(callback: () => void, ms?: number): unknown;
  clearTimeout(handle: unknown): void;
  URL: {
    new (url: string, base?: string | URL): URL;
    createObjectURL?(blob: BlobLike): string;
    revokeObjectURL?(url: string): void;
  };
}

export function browserGlobals(): BrowserGlobals {
  return globalThis as unknown as BrowserGlobals;
}

/** The page's document, or an error saying what needs one. */
export function requireDocument(what: string): DomDocument {
  const document = browserGlobals().document;
  if (document === undefined) throw new Error(`${what} needs a page (a DOM document); this JavaScript host has none`);
  return document;
}
