/**
 * Customer PII must not leave the process (logs, LLM prompts, exports) in clear text.
 * Patterns cover mainland-China and common international forms; each match becomes a typed
 * placeholder so a reader still sees *what* was there.
 */
type Replacer = string | ((match: string) => string);

/** Words that introduce an address; kept in the text so the sentence still reads. */
const ADDRESS_LEAD = /^.*(?:寄到|送到|发到|寄往|发往|送往|地址是|地址为|地址|住在|住址|改成|改为)[:：]?\s*/;

const PATTERNS: Array<[RegExp, Replacer]> = [
  // 18-digit resident ID (last char may be X), first so neither phones nor cards eat it.
  [/(?<![0-9])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9])/g, "[ID]"],
  // Mainland mobiles (optional +86), international numbers written with +, landlines like 010-12345678.
  [/(?<![0-9])(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?![0-9])/g, "[PHONE]"],
  [/(?<![\w+])\+\d{1,3}[ -]?\(?\d{1,4}\)?(?:[ -]?\d{2,4}){2,4}(?![0-9])/g, "[PHONE]"],
  [/(?<![0-9])0\d{2,3}-\d{7,8}(?![0-9])/g, "[PHONE]"],
  // Bank cards: 13-19 digits, optionally grouped by spaces or dashes.
  [/(?<![0-9])(?:\d[ -]?){12,18}\d(?![0-9])/g, "[CARD]"],
  [/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, "[EMAIL]"],
  // Chinese street addresses: place words (省/市/区/路/街…) followed by a number + 号/室/栋/单元.
  [
    /[\u4e00-\u9fa5]{2,}(?:省|市|区|县|镇|路|街|道|巷|村)[\u4e00-\u9fa50-9A-Za-z\-]*?\d+(?:号楼|号|栋|单元|室|弄)(?:[\u4e00-\u9fa50-9A-Za-z\-]*?\d+(?:号|室|栋|单元))*/g,
    (m) => {
      const lead = ADDRESS_LEAD.exec(m)?.[0] ?? "";
      return `${lead}[ADDRESS]`;
    },
  ],
  // English street addresses: "221B Baker Street", "12 Main St".
  [/\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][a-z]+\s){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct)\b\.?/g, "[ADDRESS]"],
];

export function redactText(text: string): string {
  let out = text;
  for (const [re, r] of PATTERNS) out = typeof r === "string" ? out.replace(re, r) : out.replace(re, r);
  return out;
}

const SECRET_KEY = /secret|token|password|authorization|encrypt|api[_-]?key|signature/i;

/** Deep copy of a log/prompt payload with secrets masked and every string redacted. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 8) return "[…]";
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: redactText(value.message), code: (value as { code?: unknown }).code };
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? "[SECRET]" : redactValue(v, depth + 1);
    return out;
  }
  return value;
}
