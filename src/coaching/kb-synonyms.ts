/**
 * How customers say it → how a knowledge base says it (e-commerce customer service). Applied to
 * questions only, so articles stay as written. Written for CS Coach; extend per team.
 */
export const ZH_SYNONYMS: Array<[RegExp, string]> = [
  [/钱|退回来|还给我|打给我|到账|回来|退的/, "退款 到账"],
  [/寄出|走件|发出|寄|出货|送出|发走/, "发货"],
  [/包裹|件|东西到哪|到哪了|单号|运单|轨迹|走到哪/, "物流 快递 查询"],
  [/不想要|不喜欢|退回去|退掉|寄回|不合适|退东西/, "退货"],
  [/换|调换|码|号|大了|小了|尺寸|颜色|色/, "换货 尺码"],
  [/票|报销|报账|抬头|税号|凭证|单据|红冲/, "发票 开票"],
  [/坏了|不转|不制冷|修|故障|毛病|开不了机|异响|不出风|摔坏|进水|保修/, "保修 维修 故障"],
  [/碎|裂|烂|破|压扁|压坏|划痕|漏|少发|少了|缺|发错|错了|不全|只收到/, "破损 错发 漏发"],
  [/地址|收货地方|门牌|改送|送到|取消|撤回|撤销|不要了|下错|拍错|改派|收件人/, "修改地址 取消订单"],
  [/降价|便宜|差价|买贵|打折|券|优惠|活动价|价保|保价/, "价格保护 优惠券 降价"],
  [/付款|付钱|支付|花呗|分期|扣款|扣了|扣的|微信付|信用卡|银行卡付|货到付款/, "支付"],
];

export const EN_SYNONYMS: Array<[RegExp, string]> = [
  [/\bmoney back|\bpay(?:ed)? (?:me )?back|\bcash\b|\bfunds?\b|\breimburse|\brefund|\bmoney\b/, "refund"],
  [/\bsend (?:it )?out|\bgo out\b|\bleave\b|\bleft\b|\bposted\b|\bdispatch|\bsend it\b|\bshipped\b|\bprocessing\b/, "shipping ship"],
  [/\bwhere(?:'?s| is) my (?:package|parcel|stuff|order)|\bparcel\b|\bpackage\b|\btrack|\bcourier\b|\bdelivery\b/, "tracking shipping"],
  [/\bsend (?:this|it|stuff)? ?back|\bgive it back\b|\bbring it back\b|\bchanged my mind\b|\bget rid\b|\blabel\b|\bdont want\b|\bdon'?t want\b/, "return returns"],
  [/\bsize\b|\bbigger\b|\bsmaller\b|\bswap|\bswitch\b|\btrade\b|\bcolou?r\b|\btight\b|\btoo (?:small|big|long)\b|\bfit\b|\blarge\b|\bmedium\b/, "exchange size"],
  [/\breceipt|\bvat\b|\bbill\b|\bpaperwork|\btax\b|\bexpenses?\b|\baccount(?:ant|ing)\b|\bbusiness name|\bcompany\b|\bpdf\b/, "invoice"],
  [
    /\bstopped working|\bwon'?t turn on|\bwont turn on|\bbroke\b|\bbroken\b|\bfix|\brepair|\bfaulty|\bflicker|\bdied\b|\bnoise\b|\bno sound|\bcovered|\bcoverage|\bguarantee|\bwater damage|\bdropped it/,
    "warranty repair",
  ],
  [
    /\bcrushed|\bsmashed|\bshattered|\bcracked|\bscratch|\bdented|\bleaked|\bmissing|\bwrong (?:thing|colou?r|model|item)|\bsomeone elses|\bonly got|\bhalf my order|\bisn'?t what i ordered|\barrived broken/,
    "damaged wrong missing",
  ],
  [
    /\bwrong (?:street|postcode)|\baddress|\bmoved\b|\bnew place|\bredirect|\bcancel|\bundo\b|\bstop the order|\bdelete my order|\bby mistake|\boffice instead|\bhouse number|\bflat number|\bwhere it goes|\bdelivery details/,
    "address cancel",
  ],
  [/\bcheaper|\bprice (?:drop|went|dropped)|\bdifference\b|\bsale\b|\bcode\b|\bvoucher|\bcoupon|\bpromo|\bdiscount|\bfull price|\bmatch\b|\bhonou?r/, "price discount code"],
  [/\bpay\b|\bpaypal|\bamex|\bcard\b|\bdeclined|\bcharged?\b|\binstal?lments?|\bklarna|\bapple pay|\bcheckout|\bhold\b|\bpayment/, "payment"],
];
