import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * The fonts of the PDFs the server makes (the e-receipt, the postal labels): DejaVu from the npm package
 * `dejavu-fonts-ttf`, which has every Vietnamese letter (decision 0015). Each file is read once per process.
 */
const FILES = {
  regular: "dejavu-fonts-ttf/ttf/DejaVuSans.ttf",
  bold: "dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf",
  italic: "dejavu-fonts-ttf/ttf/DejaVuSans-Oblique.ttf",
  mono: "dejavu-fonts-ttf/ttf/DejaVuSansMono-Bold.ttf",
} as const;

export type PdfFont = keyof typeof FILES;

const loaded = new Map<PdfFont, Buffer>();
const require = createRequire(import.meta.url);

/** Registers these fonts under their names on a pdfkit document. */
export function registerFonts(doc: PDFKit.PDFDocument, names: readonly PdfFont[]): void {
  for (const name of names) {
    let font = loaded.get(name);
    if (!font) {
      font = readFileSync(require.resolve(FILES[name]));
      loaded.set(name, font);
    }
    doc.registerFont(name, font);
  }
}
