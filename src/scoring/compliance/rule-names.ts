import type { Policy } from "./policy-schema.ts";

type Lang = "zh" | "en";

/** Short names for the canonical rule kinds, as a team lead would say them in a meeting. */
const KIND_NAMES: Record<string, Record<Lang, string>> = {
  missing_greeting: { zh: "未规范问候", en: "no greeting" },
  slow_first_response: { zh: "首次响应超时", en: "slow first reply" },
  slow_response: { zh: "回复超时", en: "slow reply" },
  missing_apology: { zh: "未及时致歉", en: "no apology" },
  rude_language: { zh: "用语不当", en: "rude or cold wording" },
  arguing: { zh: "与顾客争辩", en: "arguing with the customer" },
  privacy_leak: { zh: "泄露顾客隐私", en: "privacy leak" },
  missing_closing_check: { zh: "结束前未确认满意", en: "no closing check" },
  jargon: { zh: "使用内部术语", en: "internal jargon" },
  red_line_claim: { zh: "违规承诺/极限词", en: "banned claim" },
  missing_warm_address: { zh: "未使用亲切称呼", en: "no warm address" },
};

/**
 * kind → the name people use for it: the policy rule's own `name` when the team gave one,
 * else the canonical short name, else the rule's description. Never the raw id.
 */
export function ruleNamer(policy: Policy, lang: Lang): (kind: string) => string {
  return (kind) => {
    const rule = policy.rules.find((r) => r.kind === kind);
    return rule?.name?.[lang] ?? KIND_NAMES[kind]?.[lang] ?? rule?.description[lang] ?? kind.replace(/_/g, " ");
  };
}
