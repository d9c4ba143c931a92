/**
 * Customer-service vocabulary for Chinese chats, written for CS Coach from the service norms in
 * the source documents (complaints, waiting, refunds, praise). Weights are −1..1; `cat` says
 * which emotion a word points to. The trained model decides polarity on open text; these words
 * explain a score and carry the categories and chat phrasing reviews do not have.
 */
export type EmotionCategory = "anger" | "frustration" | "anxiety" | "neutral" | "satisfaction";
export interface LexEntry {
  w: number;
  cat?: EmotionCategory;
}

const entries: Array<[string, number, EmotionCategory?]> = [
  // anger: insults, accusations, fury
  ["垃圾", -1, "anger"],
  ["骗子", -1, "anger"],
  ["坑人", -0.9, "anger"],
  ["欺骗", -0.9, "anger"],
  ["黑心", -0.9, "anger"],
  ["气死", -1, "anger"],
  ["生气", -0.8, "anger"],
  ["愤怒", -0.9, "anger"],
  ["恶心", -0.9, "anger"],
  ["无语", -0.7, "anger"],
  ["太过分", -0.9, "anger"],
  ["过分", -0.7, "anger"],
  ["忍无可忍", -1, "anger"],
  ["滚", -1, "anger"],
  ["破", -0.5, "anger"],
  ["什么玩意", -0.9, "anger"],
  ["坑爹", -0.9, "anger"],
  ["缺德", -0.9, "anger"],
  ["不要脸", -1, "anger"],
  ["霸王条款", -0.8, "anger"],
  ["敷衍", -0.8, "anger"],
  ["踢皮球", -0.8, "anger"],
  ["态度差", -0.9, "anger"],
  ["态度恶劣", -1, "anger"],
  ["耍我", -0.9, "anger"],
  ["忽悠", -0.8, "anger"],
  ["假货", -0.9, "anger"],
  ["烂", -0.8, "anger"],
  ["差劲", -0.9, "anger"],
  ["离谱", -0.8, "anger"],
  // frustration / dissatisfaction
  ["失望", -0.8, "frustration"],
  ["不满", -0.8, "frustration"],
  ["不满意", -0.8, "frustration"],
  ["差", -0.7, "frustration"],
  ["慢", -0.5, "frustration"],
  ["太慢", -0.8, "frustration"],
  ["很慢", -0.7, "frustration"],
  ["还没", -0.5, "frustration"],
  ["还没到", -0.6, "frustration"],
  ["一直", -0.3, "frustration"],
  ["又", -0.2, "frustration"],
  ["问题", -0.1, "frustration"],
  ["坏了", -0.7, "frustration"],
  ["破损", -0.7, "frustration"],
  ["质量差", -0.9, "frustration"],
  ["不行", -0.6, "frustration"],
  ["没用", -0.6, "frustration"],
  ["难用", -0.7, "frustration"],
  ["退货", -0.3, "frustration"],
  ["退款", -0.3, "frustration"],
  ["少了", -0.5, "frustration"],
  ["漏发", -0.7, "frustration"],
  ["错发", -0.7, "frustration"],
  ["发错", -0.7, "frustration"],
  ["不好", -0.7, "frustration"],
  ["不太好", -0.5, "frustration"],
  ["一般", -0.3, "frustration"],
  ["凉了", -0.6, "frustration"],
  ["难吃", -0.8, "frustration"],
  ["不新鲜", -0.7, "frustration"],
  ["变质", -0.8, "frustration"],
  ["异味", -0.6, "frustration"],
  ["褪色", -0.6, "frustration"],
  ["起球", -0.5, "frustration"],
  ["卡顿", -0.6, "frustration"],
  ["死机", -0.7, "frustration"],
  ["不能用", -0.7, "frustration"],
  ["用不了", -0.7, "frustration"],
  ["没反应", -0.6, "frustration"],
  ["没人理", -0.8, "frustration"],
  ["不回复", -0.7, "frustration"],
  ["不理", -0.6, "frustration"],
  ["等了", -0.4, "frustration"],
  ["等半天", -0.7, "frustration"],
  ["后悔", -0.8, "frustration"],
  ["上当", -0.9, "frustration"],
  ["不值", -0.7, "frustration"],
  ["贵", -0.4, "frustration"],
  ["降价", -0.4, "frustration"],
  ["郁闷", -0.7, "frustration"],
  ["崩溃", -0.8, "frustration"],
  ["心累", -0.7, "frustration"],
  ["无奈", -0.6, "frustration"],
  ["糟糕", -0.8, "frustration"],
  ["不靠谱", -0.8, "frustration"],
  ["差评", -0.8, "frustration"],
  ["投诉", -0.6, "anger"],
  ["不会再", -0.7, "frustration"],
  ["再也不", -0.8, "frustration"],
  ["裂痕", -0.6, "frustration"],
  ["裂了", -0.6, "frustration"],
  ["碎了", -0.7, "frustration"],
  ["破了", -0.6, "frustration"],
  ["划痕", -0.5, "frustration"],
  ["瑕疵", -0.5, "frustration"],
  ["有问题", -0.5, "frustration"],
  ["不对", -0.4, "frustration"],
  ["不一样", -0.4, "frustration"],
  ["缺货", -0.4, "frustration"],
  // anxiety / urgency
  ["着急", -0.5, "anxiety"],
  ["急", -0.4, "anxiety"],
  ["急用", -0.5, "anxiety"],
  ["赶紧", -0.4, "anxiety"],
  ["尽快", -0.3, "anxiety"],
  ["快点", -0.4, "anxiety"],
  ["马上", -0.2, "anxiety"],
  ["担心", -0.5, "anxiety"],
  ["怎么办", -0.4, "anxiety"],
  ["到底", -0.4, "anxiety"],
  ["什么时候", -0.15, "anxiety"],
  ["催", -0.4, "anxiety"],
  ["加急", -0.4, "anxiety"],
  ["来不及", -0.6, "anxiety"],
  ["害怕", -0.6, "anxiety"],
  // satisfaction / gratitude
  ["谢谢", 0.6, "satisfaction"],
  ["感谢", 0.7, "satisfaction"],
  ["多谢", 0.6, "satisfaction"],
  ["辛苦", 0.5, "satisfaction"],
  ["满意", 0.8, "satisfaction"],
  ["好评", 0.8, "satisfaction"],
  ["不错", 0.7, "satisfaction"],
  ["很好", 0.8, "satisfaction"],
  ["好", 0.4, "satisfaction"],
  ["棒", 0.8, "satisfaction"],
  ["赞", 0.8, "satisfaction"],
  ["喜欢", 0.7, "satisfaction"],
  ["好吃", 0.8, "satisfaction"],
  ["好用", 0.8, "satisfaction"],
  ["快", 0.3, "satisfaction"],
  ["很快", 0.6, "satisfaction"],
  ["及时", 0.6, "satisfaction"],
  ["耐心", 0.7, "satisfaction"],
  ["热情", 0.7, "satisfaction"],
  ["专业", 0.6, "satisfaction"],
  ["贴心", 0.8, "satisfaction"],
  ["周到", 0.8, "satisfaction"],
  ["解决了", 0.7, "satisfaction"],
  ["给力", 0.8, "satisfaction"],
  ["靠谱", 0.7, "satisfaction"],
  ["划算", 0.7, "satisfaction"],
  ["实惠", 0.7, "satisfaction"],
  ["推荐", 0.6, "satisfaction"],
  ["完美", 0.9, "satisfaction"],
  ["开心", 0.8, "satisfaction"],
  ["放心", 0.6, "satisfaction"],
  ["好的", 0.2, "satisfaction"],
  ["可以", 0.15, "satisfaction"],
  ["没问题", 0.4, "satisfaction"],
  ["理解", 0.3, "satisfaction"],
  ["新鲜", 0.6, "satisfaction"],
  ["正品", 0.6, "satisfaction"],
  ["物美价廉", 0.9, "satisfaction"],
  ["值", 0.5, "satisfaction"],
  ["惊喜", 0.8, "satisfaction"],
];

export const ZH_LEXICON: ReadonlyMap<string, LexEntry> = new Map(entries.map(([word, w, cat]) => [word, { w, cat }]));

/** Words that flip what follows (ICU also glues some onto the next word: 不好, 没用 are entries). */
export const ZH_NEGATORS = new Set(["不", "没", "没有", "别", "并不", "不是", "无", "未", "毫不", "从不", "绝不", "并没有", "不太", "不怎么", "不算"]);

/** Degree adverbs: how much the next sentiment word counts. */
export const ZH_DEGREE = new Map<string, number>([
  ["太", 1.6],
  ["非常", 1.8],
  ["特别", 1.7],
  ["超", 1.6],
  ["超级", 1.8],
  ["极其", 2],
  ["极", 1.8],
  ["十分", 1.7],
  ["相当", 1.5],
  ["真", 1.4],
  ["真的", 1.4],
  ["很", 1.3],
  ["挺", 1.2],
  ["好", 1.2],
  ["巨", 1.7],
  ["贼", 1.6],
  ["最", 1.8],
  ["实在", 1.5],
  ["简直", 1.7],
  ["有点", 0.6],
  ["有些", 0.6],
  ["稍微", 0.5],
  ["略", 0.5],
  ["稍", 0.5],
  ["比较", 0.8],
  ["还算", 0.7],
  ["一点", 0.6],
]);

/** After these, the speaker's real point follows: the clause after weighs more. */
export const ZH_CONTRAST = ["但是", "不过", "可是", "然而", "就是", "只是", "但"];

/**
 * What makes a chat message emotional rather than a question or a factual report, after the
 * labelling rubric (../shared/data/LABELLING.md): families of wording, each named so a score
 * can say which one it saw. Topic words (退款, 没收到, 坏了) are deliberately absent: a plain
 * problem report is neutral. Every pattern is a bounded alternation (linear on any input).
 */
export const ZH_FEELING: ReadonlyArray<readonly [string, RegExp]> = [
  [
    "impatience",
    /到底|怎么还(?:不|没)|都.{1,8}了.{0,3}还|一直(?:没|不|都|在)|多少次|几次了|又一次|一遍又一遍|等不了|没法等|[0-9一二三四五六七八九十两几半]{1,6}个?(?:月|天|星期|周|小时)了(?:都|还|也)|等了.{0,3}[0-9一二三四五六七八九十两几半]{1,6}个?(?:月|天|星期|周|小时)|早都|早就(?:说|反馈|给)/,
  ],
  ["distrust", /凭什么|骗|坑|忽悠|欺诈|无耻|霸王|黑心|不靠谱|是假的|信不信|虚设|摆设|不负责|推三阻四|踢皮球|敷衍|扯淡|套路/],
  [
    "anger",
    /眼睛长|(?:能|可以)(?:再|在)(?:慢|差|烂|贵|少)一?点吗|气死|生气|垃圾|无语|什么破|什么烂|烂[^漫]|差劲|离谱|受不了|恶心|搞什么|奇葩|渣|傻[逼比b]|特么|他妈|tmd|尼玛|卧槽|去你|妈的|滚|骚扰|牛逼|赢了|服了|呵呵|长点心|像话|好意思/,
  ],
  ["disappointment", /还能说什么|无话可说|失望|寒心|心寒|伤心|受伤|悲催|惨|郁闷|(?<!麻)烦|崩溃|心累|后悔|无奈|别扭|吃亏|很亏|心焦|着急|急死|担心|害怕/],
  ["threat", /投诉|差评|曝光|维权|举报|换(?:移动|联通|电信|别家|一家)/],
  ["intensity", /太(?!好了|感谢|谢谢|多)[\u4e00-\u9fa5]|[!！]{2,}|[?？]{2,}|[?？][!！]|[!！][?？]|真是|简直|就这样了|完事了/],
  ["accusation", /你们(?:就|都|自己|难道|还)[^?？。!！]{0,24}[?？]|(?:合理|公平|应该|正常|像话)吗/],
  ["thanks", /谢谢|感谢|多谢|辛苦|太好了|满意|好评|哈哈|赞|棒|给力|开心|放心|爱你|靠谱/],
];

/** The first family whose wording appears in the (normalised) text, or undefined. */
export function feelingIn(text: string): string | undefined {
  for (const [name, re] of ZH_FEELING) if (re.test(text)) return name;
  return undefined;
}

/** Families that point one way whatever the model leans ("intensity" and "accusation" only amplify). */
export const NEGATIVE_FEELINGS: ReadonlySet<string> = new Set(["impatience", "distrust", "anger", "disappointment", "threat"]);

/**
 * Something went wrong, said plainly: faults, missing or wrong goods, money taken, things that
 * will not work. Topic, not feeling — the problem signal (the apology rule's premise and the
 * session detectors' "still not solved") reads these; emotion does not. Bounded alternations.
 */
export const ZH_PROBLEM =
  /[裂碎破坏漏断瘪凹烂脏湿霉歪][了开掉的成]|开胶|脱落|松动|异响|失灵|不灵|刮花|磨损|污渍|发现.{0,8}(?:有|少|缺)|坏了|坏的|[压摔碰弄摔]坏|瘪了|(?:寄|发|送)(?:过来|来)的(?:是|却是)|寄错|送错|不是我(?:买|要|订)的|破了|破损|碎了|裂了|掉了|断了|漏[发水气油]|错发|发错|少[了发件]|缺[了件少]|没(?:收到|到货|发货|声音|反应|信号|网|电|用|退)|还没(?:到|收到|发|退|回|处理|解决)|收不到|打不开|用不了|不能用|开不了机|连不上|上不去|登不上|登录不了|无法|失败|故障|异常|出错|报错|卡顿|死机|闪退|黑屏|过期|变质|发霉|有虫|异味|扣[了款费钱]|多扣|乱扣|重复扣|不对|不一样|不符|有问题|质量问题|瑕疵|划痕|脱胶|开线|起球|褪色|掉色|丢了|丢件|被拒|停机|断网|限速|不退|不给退|没解决|没处理|投诉|缩水|起皮|掉漆|生锈|变形|开裂|破洞|脱线|漏电|发烫|充不进|充不上|不亮|不转|有异物|过敏|不合身|不合适/;

/** The same for English support chats. */
export const EN_PROBLEM =
  /\b(?:smashed|shattered|dented|scratched|ripped|stained|mouldy|moldy|expired|keeps? (?:crashing|freezing|failing|logging|dropping|breaking|stopping)|billed twice|charged twice|broken|broke|missing|damaged|faulty|defective|cracked|leak(?:s|ing)?|peeling|torn|stopped working|not working|doesn'?t work|don'?t work|won'?t (?:turn on|start|charge|open|load|connect)|can'?t (?:log ?in|access|open|connect|find)|has ?n[o']?t (?:arrived|come|been)|did ?n[o']?t (?:arrive|come|get)|never (?:arrived|came|got)|wrong (?:item|size|colou?r|order|address|amount)|charged (?:twice|again|me)|double charged|overcharged|refund (?:has ?n[o']?t|never|still)|error|failed|declined|lost|stuck|still (?:no|not|nothing|waiting))\b/;
