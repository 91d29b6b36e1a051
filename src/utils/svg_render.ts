import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/*
 * SVG is what keras-ts draws; PNG is rasterized from it by resvg (a mature SVG renderer, shipped
 * as a prebuilt binary inside its npm package). Text uses DejaVu Sans from the npm package
 * `dejavu-fonts-ttf`, so pictures render the same on a machine with no system fonts.
 */

/** The font family every keras-ts picture uses. */
export const FONT_FAMILY = "DejaVu Sans";

function fontFiles(): string[] {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf");
  return ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf"].map((f) => join(dir, f));
}

export interface SvgToPngOptions {
  /** Background fill; transparent when omitted. */
  background?: string;
  /** Output width in pixels (height follows the aspect ratio); the SVG's own size when omitted. */
  width?: number;
}

/** Rasterizes an SVG document to PNG bytes. */
export async function svgToPng(svg: string, options: SvgToPngOptions = {}): Promise<Uint8Array> {
  const { Resvg } = await import("@resvg/resvg-js");
  const renderer = new Resvg(svg, {
    background: options.background,
    fitTo: options.width === undefined ? { mode: "original" } : { mode: "width", value: options.width },
    font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
  });
  return renderer.render().asPng();
}

/** Escapes text for use inside SVG elements and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
