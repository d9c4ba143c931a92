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
  (_p) => `退货地址是哪里`,
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
  (_p) => `我还没收到货`,
  (_p) => `快递显示签收了，我这边还没拿到`,
  (p) => `${p(ITEMS)}收到了，尺码有点小，想换大一码`,
  (p) => `${p(ITEMS)}少发了一个配件`,
  (p) => `${p(ITEMS)}颜色和图片不太一样，可以退吗`,
  (p) => `${p(ITEMS)}坏了，怎么保修`,
  (p) => `${p(ITEMS)}不会用，有说明书吗`,
  (_p) => `发票抬头写错了，能改吗`,
  (p) => `地址填错了，改成${p(PLACES)}`,
  (_p) => `我想修改收货地址`,
  (_p) => `我要退货`,
  (_p) => `我要退款`,
  (_p) => `退款退到哪里`,
  (_p) => `运费谁出`,
  (_p) => `可以开专票吗`,
  (p) => `${p(THINGS)}能用吗`,
  (p) => `有没有${p(THINGS)}`,
  (p) => `${p(ITEMS)}是正品吗`,
  (p) => `${p(ITEMS)}怎么洗`,
  (p) => `${p(ITEMS)}多重`,
  (_p) => `能便宜一点吗`,
  (_p) => `拍了两件能一起发吗`,
  (_p) => `取消订单`,
  (_p) => `我不想要了，能取消吗`,
  (_p) => `没事`,
  (_p) => `好的`,
  (_p) => `嗯嗯`,
  (_p) => `知道了`,
  (_p) => `行`,
  (_p) => `好的，知道了`,
  (_p) => `收到`,
  (_p) => `那我等等看`,
  (_p) => `稍等，我找一下订单号`,
  (_p) => `在吗`,
  (_p) => `你好`,
  (_p) => `人工客服`,
  (_p) => `转人工`,
  (_p) => `我已经提交了，你看一下`,
  (_p) => `照片发你了`,
  (_p) => `就是这个订单`,
  (p) => `${p(TIMES)}能到吗`,
  (_p) => `是发什么快递`,
  (_p) => `可以发顺丰吗`,
];

type Pick = (list: readonly string[]) => string;
const DIGITS = ["2026112300018", "5523", "78810021", "320019", "SF1023948812"];

/** `count` lines (with repeats removed, so possibly fewer), the same on every run. */
export function shopChat(count: number): string[] {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pick: Pick = (list) => list[Math.floor(rand() * list.length)]!;
  const out = new Set<string>();
  for (let i = 0; i < count; i++) out.add(TEMPLATES[i % TEMPLATES.length]!(pick));
  return [...out];
}

const OPENERS = ["", "", "", "你好，", "您好，", "请问", "亲，", "客服，", "在吗，", "我想问下，", "麻烦问一下，", "咨询一下，", "hello，"];
const PRODUCTS = [
  "猫粮",
  "狗粮",
  "冻干",
  "猫砂",
  "婴儿车",
  "奶瓶",
  "纸尿裤",
  "儿童座椅",
  "面霜",
  "精华",
  "防晒霜",
  "洗面奶",
  "口红",
  "手机",
  "耳机",
  "充电宝",
  "平板",
  "手表",
  "路由器",
  "电饭煲",
  "空气炸锅",
  "吸尘器",
  "热水器",
  "冰箱",
  "洗衣机",
  "双肩包",
  "行李箱",
  "钱包",
  "运动鞋",
  "靴子",
  "羽绒服",
  "卫衣",
  "牛仔裤",
  "衬衫",
  "茶叶",
  "坚果",
  "咖啡豆",
  "蛋糕",
  "大米",
  "台灯",
  "床垫",
  "枕头",
  "被子",
  "水杯",
  "窗帘",
  "拖鞋",
  "袜子",
  "帽子",
  "眼镜",
  "口罩",
  "保温杯",
  "锅",
  "菜刀",
  "沙发",
  "书桌",
  "玩具",
  "积木",
  "自行车",
  "头盔",
];
const ATTRIBUTES = ["颜色", "尺码", "材质", "重量", "保质期", "产地", "型号", "容量", "功率", "尺寸", "成分", "口味", "规格", "版本", "款式", "包装", "配件"];
const PARTS = ["后轮", "盖子", "说明书", "充电线", "螺丝", "拉链", "吊牌", "赠品", "遥控器", "滤网", "底座", "把手", "电池", "发票"];
const MATERIALS = ["纯棉", "真皮", "不锈钢", "实木", "玻璃", "硅胶", "塑料", "羊毛", "陶瓷"];
const WHO = ["敏感肌", "小孩", "老人", "三个月的宝宝", "幼猫", "大型犬", "学生", "油皮", "孕妇"];
const USES = ["用", "安装", "清洗", "充电", "保存", "连接", "激活", "调温度", "换滤芯", "开机"];
const ENDINGS = ["", "", "？", "?", "呢", "呀", "阿", "啊", "哈", "～"];

const FRAMES: Array<(p: Pick) => string> = [
  (p) => `${p(PRODUCTS)}的${p(ATTRIBUTES)}是多少`,
  (p) => `${p(PRODUCTS)}是${p(MATERIALS)}的吗`,
  (p) => `${p(PRODUCTS)}有${p(COLOURS)}吗`,
  (p) => `${p(PRODUCTS)}能${p(USES)}吗`,
  (p) => `${p(PRODUCTS)}多少钱`,
  (p) => `${p(PRODUCTS)}有赠品吗`,
  (p) => `${p(PRODUCTS)}今天能发吗`,
  (p) => `下单的${p(PRODUCTS)}发了没`,
  (p) => `${p(PRODUCTS)}是什么${p(ATTRIBUTES)}的`,
  (p) => `这款${p(PRODUCTS)}适合${p(WHO)}吗`,
  (p) => `我家${p(WHO)}能用这个${p(PRODUCTS)}吗`,
  (p) => `${p(PRODUCTS)}什么时候补货`,
  (p) => `${p(PRODUCTS)}大概几天能到`,
  (p) => `${p(PRODUCTS)}怎么${p(USES)}`,
  (p) => `${p(PRODUCTS)}第一次${p(USES)}要注意什么`,
  (p) => `${p(PRODUCTS)}和${p(PRODUCTS)}一起买有优惠吗`,
  (p) => `这两款${p(PRODUCTS)}有什么区别`,
  (p) => `${p(PRODUCTS)}保修多久`,
  (p) => `${p(PRODUCTS)}带${p(PARTS)}吗`,
  (p) => `${p(PRODUCTS)}的${p(PARTS)}可以单独买吗`,
  (p) => `${p(PARTS)}没有找到，放在哪里`,
  (p) => `${p(PRODUCTS)}收到了，${p(PARTS)}好像少了一个`,
  (p) => `${p(PRODUCTS)}我想换个${p(ATTRIBUTES)}`,
  (p) => `${p(PRODUCTS)}现在下单${p(TIMES)}能到吗`,
  (p) => `${p(PRODUCTS)}可以开发票吗`,
  (p) => `${p(PRODUCTS)}是现货还是预售`,
  (p) => `${p(PRODUCTS)}买两件能便宜点吗`,
  (p) => `${p(PRODUCTS)}支持七天无理由吗`,
  (p) => `${p(PRODUCTS)}用了一次，想问下怎么${p(USES)}`,
  (p) => `刚拍了${p(PRODUCTS)}，地址能改成${p(PLACES)}吗`,
  (p) => `${p(PRODUCTS)}发的是哪家快递`,
  (p) => `那${p(PRODUCTS)}要不要另外买${p(PARTS)}`,
];

/** Customers' questions about products and orders in many categories, with the openers and particles chat has. */
export function shopQuestions(count: number): string[] {
  let seed = 11;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pick: Pick = (list) => list[Math.floor(rand() * list.length)]!;
  const out = new Set<string>();
  for (let i = 0; i < count; i++) out.add(`${pick(OPENERS)}${FRAMES[Math.floor(rand() * FRAMES.length)]!(pick)}${pick(ENDINGS)}`);
  return [...out];
}
