/** Text helpers shared by every scorer: normalisation, language detection, Chinese words. */

/** Full-width ASCII (！？ＡＢ１２) → half-width, lower case, single spaces. */
export function normalizeText(text: string): string {
  return text
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, " ")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

const HAN = /[\u3400-\u9fff]/g;
const LATIN = /[a-z]/gi;

/** zh when Han characters carry the message (a few English words inside Chinese stay zh). */
export function detectLang(text: string): "zh" | "en" {
  const han = text.match(HAN)?.length ?? 0;
  const latin = text.match(LATIN)?.length ?? 0;
  return han > 0 && han * 3 >= latin ? "zh" : "en";
}

const zhSegmenter = new Intl.Segmenter("zh", { granularity: "word" });

/** Word-like segments (punctuation and spaces dropped). */
export function segmentZh(text: string): string[] {
  const out: string[] = [];
  for (const s of zhSegmenter.segment(text)) if (s.isWordLike) out.push(s.segment);
  return out;
}
