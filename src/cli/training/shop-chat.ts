/**
 * Neutral online-shop chat, written for CS Coach: what customers type to a shop's service desk
 * when nothing is wrong with their mood — questions about orders, delivery, sizes, returns and
 * invoices, plain reports ("还没收到货"), acknowledgements. The only chat text in ../shared/data
 * is a bank's questions and telephone-company helpdesk threads; without shop chat the model
 * reads a shop's everyday vocabulary (退货, 尺码, 没收到) as the complaints it saw in reviews.
 * Generated from templates and slot lists, deterministically (training input, never shipped).
 */
const ITEMS = ["这件衣服", "这双鞋", "这个杯子", "这款手机壳", "这个耳机", "这条裤子", "这个包", "洗发水", "这台电饭煲", "这个充电器", "床单", "这款面霜", "这个台灯", "外套", "连衣裙"];
const THINGS = ["订单", "快递", "包裹", "物流", "退货", "换货", "退款", "发票", "优惠券", "运费险", "赠品", "售后", "保修", "积分", "会员"];
const SIZES = ["S码", "M码", "L码", "XL码", "37码", "38码", "39码", "40码", "42码", "均码"];
const COLOURS = ["黑色", "白色", "灰色", "蓝色", "红色", "卡其色", "米白色"];
const PLACES = ["公司", "学校", "小区门口", "快递柜", "菜鸟驿站", "家里", "老家"];
const TIMES = ["今天", "明天", "这周", "周末", "下周一", "月底前"];

const TEMPLATES: Array<(p: Pick) => string> = [
  (p) => `请问${p(ITEMS)}有${p(SIZES)}吗`,
  (p) => `${p(ITEMS)}还有${p(COLOURS)}的吗`,
  (p) => `我买的${p(SIZES)}，想换${p(SIZES)}`,
  (p) => `${p(ITEMS)}可以换${p(COLOURS)}吗`,
  (p) => `能不能送到${p(PLACES)}`,
  (p) => `可以放${p(PLACES)}吗`,
  (p) => `退货地址是哪里`,
  (p) => `${p(THINGS)}怎么申请`,
  (p) => `${p(THINGS)}在哪里看`,
  (p) => `我想问一下${p(THINGS)}的事`,
  (p) => `${p(THINGS)}多久能到账`,
  (p) => `请问${p(TIMES)}能发货吗`,
  (p) => `${p(TIMES)}下单什么时候能到`,
  (p) => `我的${p(THINGS)}到哪了`,
  (p) => `帮我查一下${p(THINGS)}`,
  (p) => `订单号${p(DIGITS)}，帮我看下`,
  (p) => `单号是${p(DIGITS)}`,
  (p) => `我还没收到货`,
  (p) => `快递显示签收了，我这边还没拿到`,
  (p) => `${p(ITEMS)}收到了，尺码有点小，想换大一码`,
  (p) => `${p(ITEMS)}少发了一个配件`,
  (p) => `${p(ITEMS)}颜色和图片不太一样，可以退吗`,
  (p) => `${p(ITEMS)}坏了，怎么保修`,
  (p) => `${p(ITEMS)}不会用，有说明书吗`,
  (p) => `发票抬头写错了，能改吗`,
  (p) => `地址填错了，改成${p(PLACES)}`,
  (p) => `我想修改收货地址`,
  (p) => `我要退货`,
  (p) => `我要退款`,
  (p) => `退款退到哪里`,
  (p) => `运费谁出`,
  (p) => `可以开专票吗`,
  (p) => `${p(THINGS)}能用吗`,
  (p) => `有没有${p(THINGS)}`,
  (p) => `${p(ITEMS)}是正品吗`,
  (p) => `${p(ITEMS)}怎么洗`,
  (p) => `${p(ITEMS)}多重`,
  (p) => `能便宜一点吗`,
  (p) => `拍了两件能一起发吗`,
  (p) => `取消订单`,
  (p) => `我不想要了，能取消吗`,
  (p) => `没事`,
  (p) => `好的`,
  (p) => `嗯嗯`,
  (p) => `知道了`,
  (p) => `行`,
  (p) => `好的，知道了`,
  (p) => `收到`,
  (p) => `那我等等看`,
  (p) => `稍等，我找一下订单号`,
  (p) => `在吗`,
  (p) => `你好`,
  (p) => `人工客服`,
  (p) => `转人工`,
  (p) => `我已经提交了，你看一下`,
  (p) => `照片发你了`,
  (p) => `就是这个订单`,
  (p) => `${p(TIMES)}能到吗`,
  (p) => `是发什么快递`,
  (p) => `可以发顺丰吗`,
];

type Pick = (list: readonly string[]) => string;
const DIGITS = ["2026112300018", "5523", "78810021", "320019", "SF1023948812"];

/** `count` lines (with repeats removed, so possibly fewer), the same on every run. */
export function shopChat(count: number): string[] {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const pick: Pick = (list) => list[Math.floor(rand() * list.length)]!;
  const out = new Set<string>();
  for (let i = 0; i < count; i++) out.add(TEMPLATES[i % TEMPLATES.length]!(pick));
  return [...out];
}
