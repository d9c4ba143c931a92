/**
 * Finds customer PII in text: phone numbers (mainland and international), national ID and
 * passport numbers, bank cards, e-mail addresses, street addresses (Chinese and English).
 *
 * Every step is linear in the text's length, whatever the text: each pattern has bounded
 * quantifiers over disjoint character classes (no nested repetition), and the two patterns
 * that would otherwise rescan (e-mail, Chinese addresses) are found from an anchor (`@`, a
 * house number) and widened by a bounded walk in code. Hostile input — 10,000 × 市, a
 * megabyte of letters — costs what ordinary text of that length costs.
 */
export type PiiKind = "phone" | "id" | "card" | "email" | "address";
export interface PiiSpan {
  kind: PiiKind;
  start: number;
  end: number;
}

const FULL_WIDTH = /[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff20\uff0b\uff0d\uff0e\uff08\uff09]/g;
const CN_DIGITS: Record<string, string> = { 〇: "0", 零: "0", 一: "1", 幺: "1", 二: "2", 三: "3", 四: "4", 五: "5", 六: "6", 七: "7", 八: "8", 九: "9" };

/** Same length as the input, so offsets carry over: full-width forms folded to ASCII. */
function foldWidth(s: string): string {
  return s.replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/** As foldWidth, with Chinese digit characters as digits too (一三八… is a phone number read aloud). */
function foldCnDigits(s: string): string {
  return s.replace(/[〇零一幺二三四五六七八九]/g, (c) => CN_DIGITS[c]!);
}

const B = "(?<![0-9A-Za-z])"; // not inside a longer number or word (a UUID, an order code)
const E = "(?![0-9A-Za-z])";

const PATTERNS: Array<[PiiKind, RegExp, ((m: string, text: string, at: number) => boolean)?]> = [
  // Mainland resident ID: 18 characters (last may be X), birth date inside; the old 15-digit form.
  ["id", new RegExp(`${B}[1-9]\\d{5}(?:18|19|20)\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\d{3}[0-9Xx]${E}`, "g")],
  ["id", new RegExp(`${B}[1-9]\\d{5}\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\d{3}${E}`, "g"), (_m, text, at) => /身份证|证件/.test(text.slice(Math.max(0, at - 12), at))],
  // Hong Kong ID A123456(7); US SSN 123-45-6789; a passport number after the word.
  ["id", /(?<![A-Za-z0-9])[A-Z]{1,2}\d{6}\([0-9A]\)/g],
  ["id", /(?<![0-9-])\d{3}-\d{2}-\d{4}(?![0-9-])/g],
  ["id", /(?:护照|通行证|passport)(?:号码|号|no\.?|number)?[\s:：#]{0,3}[A-Z0-9]{6,12}(?![A-Za-z0-9])/gi],
  // Mobile numbers: mainland 1[3-9]x with optional +86 and spaces, dots or dashes in the usual places.
  ["phone", new RegExp(`${B}(?:(?:\\+|00)?86[ -]?)?1[3-9]\\d[ .-]?\\d{4}[ .-]?\\d{4}${E}`, "g")],
  // International numbers written with +: checked for 8–15 digits below.
  [
    "phone",
    /\+\d[\d ().-]{5,22}\d/g,
    (m) => {
      const digits = m.replace(/\D/g, "").length;
      return digits >= 8 && digits <= 15 && !/[ ().-]{2}/.test(m);
    },
  ],
  // North American (415) 555-0132, 415-555-0132, 415.555.0132.
  // (400-/800- are companies' service lines in China, not anybody's personal number.)
  ["phone", /(?<![0-9A-Za-z.-])(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![0-9A-Za-z-])/g, (m) => !/^[48]00/.test(m)],
  // Landlines: 010-12345678, 0571-8888888, 020 7946 0958.
  ["phone", /(?<![0-9A-Za-z-])0\d{2,3}-\d{7,8}(?![0-9A-Za-z-])/g],
  ["phone", /(?<![0-9A-Za-z])0\d{2,4} \d{3,4} \d{4}(?![0-9A-Za-z])/g],
  // Bank cards: 13–19 digits, grouped or not; a Luhn-valid number, or any after the word "card".
  ["card", /(?<![0-9A-Za-z])\d(?:[ -]?\d){12,18}(?![0-9A-Za-z])/g, (m, text, at) => luhn(m.replace(/\D/g, "")) || /卡|card/i.test(text.slice(Math.max(0, at - 12), at))],
  // English street addresses: "221B Baker Street", "12 Main St".
  ["address", /\b\d{1,5}[A-Za-z]?\s(?:[A-Z][a-z]{1,20}\s){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct)\b\.?/g],
];

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

// ─── e-mail: from each @, walk out over the local part and the domain ───
const LOCAL = /[A-Za-z0-9._%+-]/;
const DOMAIN = /[A-Za-z0-9.-]/;
function emails(s: string, out: PiiSpan[]) {
  for (let at = s.indexOf("@"); at >= 0; at = s.indexOf("@", at + 1)) {
    let a = at;
    while (a > 0 && at - a < 64 && LOCAL.test(s[a - 1]!)) a--;
    let b = at + 1;
    while (b < s.length && b - at <= 255 && DOMAIN.test(s[b]!)) b++;
    while (b > at + 1 && (s[b - 1] === "." || s[b - 1] === "-")) b--;
    const domain = s.slice(at + 1, b);
    if (a < at && /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/.test(domain) && /[A-Za-z]{2,}$/.test(domain)) out.push({ kind: "email", start: a, end: b });
  }
}

// ─── Chinese street addresses: from each house number, widen left to the place names ───
const HOUSE = /(?:\d{1,5}|[零〇一二两三四五六七八九十百千]{1,6})(?:号楼|号院|号|栋|幢|单元|室|弄)/g;
const MORE = /[\u4e00-\u9fa5A-Za-z0-9-]{0,6}?(?:\d{1,5}|[一二两三四五六七八九十百]{1,4})(?:号楼|号|栋|幢|单元|室|层|楼)/y;
const PLACE = new Set("省市区县镇乡路街道巷村弄里");
const isAddressChar = (c: number) => (c >= 0x4e00 && c <= 0x9fa5) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;
/** Words that introduce an address: kept, so the sentence still reads ("寄到[ADDRESS]"). */
const LEADS = ["寄到", "送到", "发到", "寄往", "发往", "送往", "地址是", "地址为", "地址", "住在", "住址", "改成", "改为", "在"];
const WINDOW = 30;

function addresses(s: string, out: PiiSpan[]) {
  HOUSE.lastIndex = 0;
  for (let m = HOUSE.exec(s); m; m = HOUSE.exec(s)) {
    // Left: the run of address characters before the house number, at most WINDOW of them.
    let a = m.index;
    while (a > 0 && m.index - a < WINDOW && isAddressChar(s.charCodeAt(a - 1))) a--;
    const left = s.slice(a, m.index);
    let firstPlace = -1;
    for (let i = 0; i < left.length; i++) {
      if (PLACE.has(left[i]!)) {
        firstPlace = i;
        break;
      }
    }
    if (firstPlace < 0) continue; // "3号" alone is a date or a size, not an address
    // A place name is a few characters before its marker (北京市, 浙江省); a lead word ends it on the left.
    let start = a + Math.max(0, firstPlace - 4);
    for (const lead of LEADS) {
      const k = left.lastIndexOf(lead, firstPlace);
      if (k >= 0 && k + lead.length <= firstPlace) start = Math.max(start, a + k + lead.length);
    }
    // Right: building, unit, room that follow ("3栋2单元501室").
    let end = m.index + m[0].length;
    for (let n = 0; n < 4; n++) {
      MORE.lastIndex = end;
      const more = MORE.exec(s);
      if (!more) break;
      end = MORE.lastIndex;
    }
    out.push({ kind: "address", start, end });
    HOUSE.lastIndex = Math.max(HOUSE.lastIndex, end);
  }
}

/** Every PII span in the text, sorted, overlaps merged (the first kind found wins). */
export function findPii(text: string): PiiSpan[] {
  if (!text) return [];
  const folded = foldWidth(text);
  const spoken = foldCnDigits(folded);
  const spans: PiiSpan[] = [];
  for (const [kind, re, accept] of PATTERNS) {
    const source = kind === "phone" ? spoken : folded;
    re.lastIndex = 0;
    for (let m = re.exec(source); m; m = re.exec(source)) {
      if (!accept || accept(m[0], source, m.index)) spans.push({ kind, start: m.index, end: m.index + m[0].length });
    }
  }
  emails(folded, spans);
  addresses(folded, spans);
  spans.sort((x, y) => x.start - y.start || y.end - x.end);
  const merged: PiiSpan[] = [];
  for (const sp of spans) {
    const last = merged[merged.length - 1];
    if (last && sp.start < last.end) last.end = Math.max(last.end, sp.end);
    else merged.push({ ...sp });
  }
  return merged;
}

const PLACEHOLDER: Record<PiiKind, string> = { phone: "[PHONE]", id: "[ID]", card: "[CARD]", email: "[EMAIL]", address: "[ADDRESS]" };

/** The text with each PII span replaced by a typed placeholder, so a reader still sees what was there. */
export function redactPii(text: string): string {
  const spans = findPii(text);
  if (!spans.length) return text;
  let out = "";
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + PLACEHOLDER[s.kind];
    at = s.end;
  }
  return out + text.slice(at);
}
