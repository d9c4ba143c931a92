import Sentiment from "sentiment";
import { detectEscalation, type Escalation } from "../escalation.ts";
import { detectLang, looksLikeQuestion, normalizeText, segmentZh } from "../text.ts";
import { EN_FEELING, EN_PHRASES } from "./lexicon-en.ts";
import { EN_PROBLEM, feelingIn, NEGATIVE_FEELINGS, ZH_CONTRAST, ZH_PROBLEM, ZH_DEGREE, ZH_LEXICON, ZH_NEGATORS, type EmotionCategory } from "./lexicon-zh.ts";
import type { ZhModel } from "./zh-model.ts";

export type { EmotionCategory };

export interface EmotionScore {
  lang: "zh" | "en";
  /** −1 (furious) … 1 (delighted) */
  valence: number;
  /** 0 (flat) … 1 (shouting) */
  intensity: number;
  category: EmotionCategory;
  /**
   * 0 … 1: how clearly the message reports something wrong, with or without feeling ("还没收到货"
   * is a problem and neutral). What the apology rule and the session detectors need besides emotion.
   */
  problem: number;
  /**
   * The feeling is shown in the message itself — a word of feeling, an emoji, repeated
   * punctuation, a rule (urgency, rhetorical question, sarcasm, a threat) — not only the model's
   * lean. What makes a negative score an event the agent must answer (the apology rule).
   */
  marked: boolean;
  /** What moved the score: words with their weights, and the rules that fired. */
  evidence: string[];
  escalation: Escalation;
}

/** The lexicon scale the sentiment package expects (AFINN: −5..5). */
const SCALE = 5;

const sentiment = new Sentiment();
sentiment.registerLanguage("zh", {
  labels: Object.fromEntries([...ZH_LEXICON].map(([w, e]) => [w, e.w * SCALE])),
  scoringStrategy: {
    // Degree words before a sentiment word scale it; a negator up to three words before turns
    // praise into criticism (weaker than the opposite). ICU glues some negators onto
    // the next word (我不|喜欢 stays apart but 不太 is one token), so a token ending in 不/没 counts.
    apply(tokens, cursor, score) {
      let s = score;
      for (let back = 1; back <= 3 && cursor - back >= 0; back++) {
        const t = tokens[cursor - back]!;
        const degree = ZH_DEGREE.get(t);
        if (degree !== undefined) s *= degree;
        if (ZH_NEGATORS.has(t) || /[不没]$/.test(t)) {
          // "not good" is bad, but "no refund yet" (没退款) is not good news: a negated
          // negative word only loses its weight.
          s = s > 0 ? -s * 0.7 : 0;
          break;
        }
        if (ZH_LEXICON.has(t)) break; // another sentiment word: its own scope
      }
      return s;
    },
  },
});

const EMOJI: Array<[RegExp, number, EmotionCategory]> = [
  [/[😡🤬😠👿💢]|\[(?:angry|rage|怒|发怒)\]/gu, -0.9, "anger"],
  [/[😤😒🙄👎💩]|\[(?:huff|eyeroll|thumbsdown|鄙视|白眼)\]/gu, -0.6, "frustration"],
  [/[😭😢😞😔😩😫💔]|\[(?:cry|sob|sad|流泪|大哭)\]/gu, -0.6, "frustration"],
  [/[😰😱😨😟]|\[(?:scared|shock|惊恐)\]/gu, -0.5, "anxiety"],
  [/[👍😊😄😁😀🙂🥰😍❤💕🙏👏🎉🌹]|\[(?:smile|thumbsup|heart|thanks|赞|爱心|微笑|鼓掌)\]/gu, 0.6, "satisfaction"],
];

/** English sarcasm: praise repeated flatly, or praise next to a wasted wait. */
const EN_SARCASM =
  /\b(?:great|perfect|wonderful|fantastic|brilliant|lovely|nice|awesome),? just (?:great|perfect|wonderful|fantastic|brilliant|lovely|awesome)\b|\bthanks? (?:a lot |so much )?for nothing\b|\byeah,? right\b|\b(?:great|perfect|wonderful|fantastic|brilliant|lovely|awesome)\b[^.!?]{0,40}[.!?]? ?(?:waited|wasted|for nothing|again\?|still (?:no|not|nothing))/;
/** Events that make praise sarcastic when they appear with it: "真快啊，等了三个小时". */
const SARCASM_CUES = /呵呵|服了|真行|好样的|谢谢你(?:们)?全家|我谢谢你|真是够了|佩服|厉害了|(?:等了|还没|又|第[二三四五0-9]次)/;
/** Hurrying the agent: not praise for speed (快点 is not 快). */
const URGENCY = /快点(?!的)|快些|赶紧|尽快|速度点|麻烦快|抓紧|急死|急用|等不了|\basap\b|\burgent/;
const EN_RHETORICAL =
  /\b(?:why (?:did|do|does|is|are|can't|didn't|don't|won't|should)|how (?:can|could|dare|come)|isn't (?:it|this|that)|aren't you|don't you|do you (?:take|think|really|even)|are you (?:kidding|serious|joking)|what kind of|who (?:will|is going to) (?:pay|compensate|take responsibility))\b[^?]*\?/;
const ZH_THANKS = /谢|感谢|辛苦|满意|好评|赞|棒|给力/;
/** How negative a message showing a negative feeling is at least (the neutral band is 0.1). */
const NEGATIVE_FLOOR = 0.3;
/** A plainly stated problem counts at least this much (the apology rule's default threshold is 0.7). */
const PROBLEM_WORD_FLOOR = 0.75;
/** Without a reported problem the lean counts for less, and never reaches the apology threshold. */
const UNREPORTED_PROBLEM = 0.65;
const RHETORICAL = /难道.{0,20}[吗么嘛][?？]?|怎么(?:能|可以|会|好意思).{0,20}[?？]|凭什么|有没有搞错|还有没有|是不是.{0,12}[?？]{2,}/;

interface Partial {
  value: number; // summed lexicon score, AFINN scale
  cats: Map<EmotionCategory, number>;
  evidence: string[];
}

function addCat(p: Partial, cat: EmotionCategory | undefined, amount: number) {
  if (cat) p.cats.set(cat, (p.cats.get(cat) ?? 0) + Math.abs(amount));
}

/** Split at a contrast word found at `at` (if any): what precedes counts half, what follows one and a half. */
const weightedClauses = (text: string, at: number): Array<[string, number]> =>
  at > 0
    ? [
        [text.slice(0, at), 0.5],
        [text.slice(at), 1.5],
      ]
    : [[text, 1]];

function zhLexicon(text: string): Partial {
  const p: Partial = { value: 0, cats: new Map(), evidence: [] };
  // Split at the last contrast word: the clause after it is what the customer means.
  const at = Math.max(...ZH_CONTRAST.map((c) => text.lastIndexOf(c)));
  const clauses = weightedClauses(text, at);
  for (const [clause, weight] of clauses) {
    const r = sentiment.analyze(segmentZh(clause).join(" "), { language: "zh" });
    p.value += r.score * weight;
    for (const c of r.calculation) {
      for (const [word, score] of Object.entries(c)) {
        if (score === 0) continue;
        p.evidence.push(`${word}:${(score / SCALE).toFixed(2)}`);
        addCat(p, ZH_LEXICON.get(word)?.cat, score);
      }
    }
  }
  if (at > 0) p.evidence.push("contrast");
  return p;
}

/** "Thanks, but it still hasn't arrived": what follows the last of these is what is meant. */
const EN_CONTRAST = /\b(?:but|however|though|although|yet|except)\b/g;

function enLexicon(text: string): Partial {
  const p: Partial = { value: 0, cats: new Map(), evidence: [] };
  let at = -1;
  for (const m of text.matchAll(EN_CONTRAST)) at = m.index;
  const clauses = weightedClauses(text, at);
  for (const [clause, weight] of clauses) {
    const r = sentiment.analyze(clause);
    p.value += r.score * weight;
    for (const c of r.calculation) for (const [w, s] of Object.entries(c)) p.evidence.push(`${w}:${(s / SCALE).toFixed(2)}`);
    addCat(p, r.score < 0 ? "frustration" : r.score > 0 ? "satisfaction" : undefined, r.score);
    for (const [re, w, cat] of EN_PHRASES) {
      const m = re.exec(clause);
      if (m) {
        p.value += w * SCALE * 0.6 * weight;
        p.evidence.push(`${m[0]}:${w.toFixed(2)}`);
        addCat(p, cat, w);
      }
    }
  }
  if (at > 0) p.evidence.push("contrast");
  return p;
}

/**
 * Scores one message. Pure and synchronous (no I/O): the Chinese model is passed in, loaded
 * once at start-up. Chinese: the trained model gives polarity, the lexicon (through the
 * `sentiment` package with our negation and degree strategy) gives evidence and category, and
 * rules add what both miss (contrast, rhetorical questions, repeated punctuation, emoji,
 * sarcasm). English: AFINN plus support-chat phrases and the same rules.
 */
export function scoreEmotion(raw: string, zhModel?: ZhModel, forcedLang?: "zh" | "en"): EmotionScore {
  const text = normalizeText(raw);
  const lang = forcedLang ?? detectLang(text);
  const lex = lang === "zh" ? zhLexicon(text) : enLexicon(text);
  const evidence = lex.evidence;
  let bump = 0;
  let intensity = 0;

  for (const [re, w, cat] of EMOJI) {
    const n = raw.match(re)?.length ?? 0;
    if (n) {
      bump += w * Math.min(2, n);
      addCat(lex, cat, w);
      evidence.push(`emoji:${w > 0 ? "+" : "-"}`);
    }
  }
  const bangs = /[!！]{2,}/.test(raw);
  const questions = /[?？]{2,}/.test(raw);
  if (bangs) {
    intensity += 0.3;
    // In English support chats "!!!" is rarely joy unless thanks come with it.
    if (lang === "en" && lex.value < 0) bump -= 0.2;
  }
  if (questions) {
    bump -= 0.25;
    intensity += 0.2;
    evidence.push("repeated ?");
  }
  if (URGENCY.test(text)) {
    bump -= 0.5;
    addCat(lex, "anxiety", 0.6);
    evidence.push("urgency");
  }
  if (lang === "zh" && RHETORICAL.test(text)) {
    bump -= 0.4;
    addCat(lex, "anger", 0.4);
    evidence.push("rhetorical question");
  }
  if (lang === "en" && EN_RHETORICAL.test(text)) {
    bump -= 0.35;
    addCat(lex, "anger", 0.4);
    evidence.push("rhetorical question");
  }
  if (lang === "en" && (/[A-Z]{4,}/.test(raw.replace(/#[A-Z_]+#/g, "")) || /\b(?:wtf|omg|seriously)\b/.test(text))) intensity += 0.2;

  let lexV = Math.tanh(lex.value / (SCALE * 1.2));
  if (lang === "zh" && lexV > 0 && SARCASM_CUES.test(text) && /[!！?？~～]|呵呵|服了|真/.test(text)) {
    lexV = -lexV;
    evidence.push("sarcasm");
  }
  if (lang === "en" && EN_SARCASM.test(text)) {
    lexV = -Math.max(0.5, Math.abs(lexV));
    evidence.push("sarcasm");
  }
  const escalation = detectEscalation(text);
  let valence: number;
  let problem: number | undefined;
  // A threat shows a feeling; asking for a refund is a request (refund demands are counted apart).
  const threats = escalation.kinds.filter((k) => k !== "refund_demand");
  let marked = bump !== 0 || threats.length > 0 || evidence.includes("sarcasm") || (lang === "en" && EN_FEELING.test(raw));
  if (lang === "zh" && zhModel) {
    const p = zhModel.predict(text);
    const felt = 1 - p.neutral;
    // Which way the feeling points, if there is one: the model's lean between its two polar classes.
    const lean = (p.positive - p.negative) / (felt || 1);
    evidence.push(`model:neg ${p.negative.toFixed(2)} neu ${p.neutral.toFixed(2)} pos ${p.positive.toFixed(2)}`);
    valence = lean + 0.3 * lexV * (1 - Math.abs(lean)) + bump;
    // Praise next to a long wait is not praise, unless the model is sure of it ("真好吃，又便宜！").
    if (evidence.includes("sarcasm") && lean < 0.3) valence = -Math.max(0.5, Math.abs(valence));
    const feeling = feelingIn(text);
    if (feeling) evidence.push(`feeling:${feeling}`);
    marked ||= feeling !== undefined;
    // "我真的很着急" is not good news when the model hesitates: a family of negative feeling and
    // no thanks set the direction (a review the model is sure is praise keeps it: "不会失望").
    if (feeling && NEGATIVE_FEELINGS.has(feeling) && !ZH_THANKS.test(text) && lean < 0.5) valence = Math.min(valence, -NEGATIVE_FLOOR);
    // The lean counts as a problem report as far as the model sees text of the kind at all:
    // a question the model calls plain (felt ≈ 0) has a lean that is noise.
    problem = Math.max(0, -Math.max(-1, Math.min(1, valence))) * Math.min(1, felt / zhModel.plainBelow);
    // Reviews always take a side; chat mostly asks and reports. With no word of feeling, no
    // rule firing and the model calling it plain, a lean is topic, not emotion. A question
    // needs more confidence (its own threshold): reviews state and rarely ask.
    if (!marked && felt < (looksLikeQuestion(text) ? zhModel.questionPlainBelow : zhModel.plainBelow)) {
      valence *= 0.1;
      evidence.push("plain");
    }
  } else {
    valence = lexV + bump;
  }
  valence = Math.max(-1, Math.min(1, valence));
  // A problem is reported in words ("没收到", "broken"); the model's and the lexicon's lean
  // alone is half the evidence (it also leans on topic and on reviews' habits).
  // Said in a statement it is a report; inside a question ("会不会是快过期的", "还没发货吧")
  // it is asked about, unless the question itself complains ("怎么还没到").
  const reported = reportedProblem(text, lang);
  problem = Math.max(problem ?? 0, -valence);
  if (reported) {
    problem = Math.max(problem, PROBLEM_WORD_FLOOR);
    evidence.push(`problem:${reported}`);
  } else problem *= UNREPORTED_PROBLEM;

  if (threats.length) {
    // A threat is never good news, however politely put.
    valence = Math.min(valence, -0.3);
    intensity += 0.3;
    addCat(lex, "anger", 0.8);
  }
  intensity = Math.min(1, intensity + Math.abs(valence) * 0.7);

  return { lang, valence: round(valence), intensity: round(intensity), problem: round(problem), marked, category: categorize(lang, valence, intensity, lex.cats), evidence, escalation };
}

/** Clauses: Chinese chat also separates them with spaces ("东西到了 少了一根线"), English does not. */
const CLAUSE = { zh: /[^,，。.;；!！?？\n ]+[,，。.;；!！?？\n ]*/g, en: /[^,.;!?\n]+[,.;!?\n]*/g } as const;
const COMPLAINING_QUESTION = /怎么(?:还|又|会)|为什么(?:还|又|会|没)|\bwhy (?:is|has|did|does|do|are|have)\s?n'?t\b|\bwhere is my\b|\bwhat happened to\b/i;

/** The problem word of the first clause that reports one (a statement, or a complaining question). */
function reportedProblem(text: string, lang: "zh" | "en"): string | undefined {
  const words = lang === "zh" ? ZH_PROBLEM : EN_PROBLEM;
  for (const [clause] of text.matchAll(CLAUSE[lang])) {
    const m = words.exec(clause);
    if (m && (!looksLikeQuestion(clause) || COMPLAINING_QUESTION.test(clause))) return m[0];
  }
  return undefined;
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/**
 * Neutral band: weak valence is no emotion at all. Narrower for Chinese, where the model's
 * output is already damped for plain chat turns (questions, greetings, ids) and a longer text
 * that leans at all usually means it.
 */
export const NEUTRAL_BAND = { zh: 0.1, en: 0.2 } as const;

function categorize(lang: "zh" | "en", valence: number, intensity: number, cats: Map<EmotionCategory, number>): EmotionCategory {
  const band = NEUTRAL_BAND[lang];
  if (valence >= band) return "satisfaction";
  if (valence > -band) return (cats.get("anxiety") ?? 0) >= 0.4 ? "anxiety" : "neutral";
  const anger = cats.get("anger") ?? 0;
  const anxiety = cats.get("anxiety") ?? 0;
  const frustration = cats.get("frustration") ?? 0;
  if (anger > 0 && (anger >= frustration || intensity >= 0.75)) return "anger";
  if (anxiety > frustration && anxiety > anger) return "anxiety";
  return "frustration";
}

/** The three-way label the evaluation sets use. */
export function polarityOf(s: Pick<EmotionScore, "valence" | "lang">): "negative" | "neutral" | "positive" {
  const band = NEUTRAL_BAND[s.lang];
  return s.valence >= band ? "positive" : s.valence <= -band ? "negative" : "neutral";
}
