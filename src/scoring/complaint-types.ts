/**
 * Complaint types from the source documents (product quality, service quality, price,
 * after-sales, logistics, misunderstanding of a product's function), by keywords in the
 * customer's words. Pure; a session takes the type its words point to most.
 */
export type ComplaintType = "product_quality" | "service_quality" | "price" | "after_sales" | "logistics" | "misunderstanding";

const KEYWORDS: Record<ComplaintType, RegExp> = {
  product_quality: /质量|坏了|破损|裂|瑕疵|假货|不新鲜|变质|异味|褪色|起球|漏|故障|不能用|用不了|死机|broken|defect|damaged|faulty|quality|doesn'?t work|stopped working/gi,
  service_quality: /态度|客服|不回复|没人理|敷衍|踢皮球|等了半天|rude|ignored|no one answers|nobody|service/gi,
  price: /价格|降价|贵|差价|多收|收费|扣费|优惠券|保价|price|charged|overcharged|expensive|fee|coupon|discount/gi,
  after_sales: /退款|退货|换货|售后|维修|保修|补发|refund|return|exchange|repair|warranty|replacement/gi,
  logistics: /快递|物流|发货|还没到|配送|送货|派送|丢件|地址|delivery|shipping|shipped|parcel|package|courier|tracking|arrive/gi,
  misunderstanding: /怎么用|不会用|说明书|看不懂|功能|设置|不支持|how (?:do|to) (?:i )?use|manual|setting|feature|not supported/gi,
};

export const isComplaintType = (v: unknown): v is ComplaintType => typeof v === "string" && Object.hasOwn(KEYWORDS, v);

export function complaintType(customerText: string): ComplaintType | undefined {
  let best: ComplaintType | undefined;
  let bestCount = 0;
  for (const [type, re] of Object.entries(KEYWORDS) as Array<[ComplaintType, RegExp]>) {
    const n = customerText.match(re)?.length ?? 0;
    if (n > bestCount) {
      best = type;
      bestCount = n;
    }
  }
  return best;
}

export const COMPLAINT_LABEL: Record<ComplaintType, { zh: string; en: string }> = {
  product_quality: { zh: "产品质量", en: "product quality" },
  service_quality: { zh: "服务质量", en: "service quality" },
  price: { zh: "价格争议", en: "price dispute" },
  after_sales: { zh: "售后支持", en: "after-sales" },
  logistics: { zh: "物流配送", en: "logistics" },
  misunderstanding: { zh: "功能误解", en: "product misunderstanding" },
};
