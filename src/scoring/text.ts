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
  return langOf(letterCounts(text));
}

/** Han and Latin letters in a text: what the language is decided on, and adds up across turns. */
export const letterCounts = (text: string) => ({ han: text.match(HAN)?.length ?? 0, latin: text.match(LATIN)?.length ?? 0 });

export const langOf = ({ han, latin }: { han: number; latin: number }): "zh" | "en" => (han > 0 && han * 3 >= latin ? "zh" : "en");

const zhSegmenter = new Intl.Segmenter("zh", { granularity: "word" });

/**
 * ICU's dictionary segmentation is superlinear on a long run without breaks (10,000 × 市 took
 * half a second), so text is segmented in pieces of at most this many characters, cut at a
 * punctuation mark or space where there is one: linear whatever the input, the same words on
 * ordinary text.
 */
const PIECE = 200;

/**
 * The latest segmentations, by text: one message is segmented by the emotion model, the lexicon
 * and the knowledge-base lookup, and ICU's segmenter is the dearest step of scoring. Bounded
 * (oldest out); short texts only, so the cache never holds much.
 */
const recent = new Map<string, readonly string[]>();
const RECENT_MAX = 256;
const RECENT_TEXT_MAX = 2_000;

/** Word-like segments (punctuation and spaces dropped). */
export function segmentZh(text: string): string[] {
  const hit = recent.get(text);
  if (hit) return [...hit];
  const out = segmentPieces(text);
  if (text.length <= RECENT_TEXT_MAX) {
    if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value!);
    recent.set(text, out.slice());
  }
  return out;
}

function segmentPieces(text: string): string[] {
  const out: string[] = [];
  for (let at = 0; at < text.length; ) {
    let end = Math.min(text.length, at + PIECE);
    if (end < text.length) {
      const cut = lastBreak(text, at + PIECE / 2, end);
      if (cut > at) end = cut;
    }
    for (const s of zhSegmenter.segment(text.slice(at, end))) if (s.isWordLike) out.push(s.segment);
    at = end;
  }
  return out;
}

/** The position after the last punctuation or space in [from, to), or -1. */
function lastBreak(text: string, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) if (/[\s\p{P}]/u.test(text[i]!)) return i + 1;
  return -1;
}

/**
 * A message that asks: a question mark or particle at the end, or a question word. Linear
 * (alternations and one bounded class); used to tell asking from reporting.
 */
const QUESTION =
  /[?？吗呢么嘛吧]\s*$|了没[?？]?\s*$|请问|怎么|如何|哪|什么|多少|多久|会不会|是不是|谁|啥|咋|几[个天号点种]|能不能|可不可以|是否|有没有|\b(?:how|what|when|where|which|why|can|could|do|does|is|are|will)\b[^.!?]{0,80}\?/i;
export const looksLikeQuestion = (text: string) => QUESTION.test(text);
