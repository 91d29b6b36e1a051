import { platform, type SvgToPngOptions } from "../platform/platform.js";

/*
 * SVG is what keras-ts draws. PNG is rasterized from it by the host: resvg with DejaVu Sans in
 * Node (src/platform/node.ts), the browser's own renderer in a page.
 */

/** The font family every keras-ts picture uses. */
export const FONT_FAMILY = "DejaVu Sans";

export type { SvgToPngOptions };

/** Rasterizes an SVG document to PNG bytes. */
export function svgToPng(svg: string, options: SvgToPngOptions = {}): Promise<Uint8Array> {
  return platform().svgToPng(svg, options);
}

/** Escapes text for use inside SVG elements and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
