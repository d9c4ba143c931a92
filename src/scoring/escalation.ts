/**
 * Escalation intent: the customer threatening to take the matter further. It matters more
 * than how negative a message sounds: a calm "I will call 12315" needs a supervisor sooner than
 * an angry "this is so slow".
 */
export type EscalationKind = "complaint" | "bad_review" | "regulator" | "media" | "legal" | "refund_demand";

export interface Escalation {
  kinds: EscalationKind[];
  evidence: string[];
}

const PATTERNS: Array<[EscalationKind, RegExp]> = [
  [
    "complaint",
    /投诉|举报|找你们(?:领导|经理|主管|老板)|叫你们(?:领导|经理|主管)|上级|\b(?:file|make|lodge|raise) a complaint\b|\bcomplain(?:t)? (?:to|about)\b|\b(?:speak|talk) to (?:a |your )?(?:manager|supervisor)\b|\breport (?:you|this)\b/i,
  ],
  ["bad_review", /差评|一星|1星|打低分|给你们写评价|\bbad review\b|\b(?:one|1)[- ]star\b|\bnegative review\b|\btrustpilot\b/i],
  [
    "regulator",
    /12315|(?:打|拨打|找|投诉到|反映到|举报到)\s*(?:12345|315)|12345热线|315晚会|消协|消费者协会|工商|市场监管|监管部门|\bbbb\b|\bbetter business bureau\b|\bconsumer (?:protection|agency|authority)\b|\btrading standards\b|\bftc\b/i,
  ],
  // Naming a platform is not a threat (many chats happen on Weibo); taking it public is.
  ["media", /曝光|媒体|记者|上新闻|(?:发|上|挂|放)(?:到)?(?:微博|抖音|小红书|网上|朋友圈)|\bsocial media\b|\bpost (?:this|it) online\b|\bgo public\b|\bjournalist\b|\bthe press\b|\bexpose you\b/i],
  ["legal", /律师|起诉|法院|打官司|法律途径|走法律|消费者权益保护法|赔偿|\blawyer\b|\battorney\b|\bsue\b|\blegal action\b|\bcourt\b|\blawsuit\b|\bsmall claims\b/i],
  // A demand, not a question about a refund ("退款到账了没" asks).
  [
    "refund_demand",
    /(?:我要|我就要|必须|马上|立刻|赶紧|给我|要求|只要)(?:退款|退钱|退货)|退钱|全额退|\b(?:i want|give me|i demand|i need|i'd like) (?:a |my )?(?:full )?(?:refund|money back)\b|\bchargeback\b/i,
  ],
];

export function detectEscalation(text: string): Escalation {
  const kinds: EscalationKind[] = [];
  const evidence: string[] = [];
  for (const [kind, re] of PATTERNS) {
    const m = re.exec(text);
    if (m) {
      kinds.push(kind);
      evidence.push(m[0]);
    }
  }
  return { kinds, evidence };
}
