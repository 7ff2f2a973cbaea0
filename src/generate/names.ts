/**
 * Chinese wording for the sample world: people, firms, tenderees, agencies, addresses, tender
 * titles and reasons. Every character is in GBK, so the GBK export round-trips.
 */
import type { Rng } from "./rng.ts";

export const CATEGORIES = [
  "construction",
  "government_procurement",
  "water",
  "transport",
  "medicine",
  "other",
] as const;
export type Category = (typeof CATEGORIES)[number];

export interface RegionInfo {
  readonly code: string;
  readonly city: string;
  readonly cityShort: string;
  readonly district: string;
  readonly areaCode: string;
  readonly weight: number;
}

/** Eight districts of one province (Zhejiang), with real 行政区划 codes. */
export const REGIONS: readonly RegionInfo[] = [
  { code: "330102", city: "杭州市", cityShort: "杭州", district: "上城区", areaCode: "0571", weight: 0.18 },
  { code: "330106", city: "杭州市", cityShort: "杭州", district: "西湖区", areaCode: "0571", weight: 0.16 },
  { code: "330110", city: "杭州市", cityShort: "杭州", district: "余杭区", areaCode: "0571", weight: 0.15 },
  { code: "330203", city: "宁波市", cityShort: "宁波", district: "海曙区", areaCode: "0574", weight: 0.14 },
  { code: "330302", city: "温州市", cityShort: "温州", district: "鹿城区", areaCode: "0577", weight: 0.12 },
  { code: "330402", city: "嘉兴市", cityShort: "嘉兴", district: "南湖区", areaCode: "0573", weight: 0.1 },
  { code: "330502", city: "湖州市", cityShort: "湖州", district: "吴兴区", areaCode: "0572", weight: 0.08 },
  { code: "330602", city: "绍兴市", cityShort: "绍兴", district: "越城区", areaCode: "0575", weight: 0.07 },
];

const SURNAMES =
  "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤";
const GIVEN =
  "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂华建国文辉鹏斌宇浩凯健俊帆帅旭宁龙林欣婷雪琳晨阳波飞峰亮成荣新春红玉兰英梅东海江志德永金振家兴宏良庆福生瑞祥安毅晓佳慧颖倩琪嘉子思雨博彬舟航诚立昊然";

/** A person's name: surname and one or two given-name characters. */
export function personName(rng: Rng): string {
  const s = SURNAMES[rng.int(0, SURNAMES.length - 1)] as string;
  const g1 = GIVEN[rng.int(0, GIVEN.length - 1)] as string;
  return rng.chance(0.3) ? s + g1 : s + g1 + (GIVEN[rng.int(0, GIVEN.length - 1)] as string);
}

const BRAND_CHARS =
  "宏达恒信鼎盛中天华通瑞丰宝业金诚正泰顺汇永安铭远博新城嘉和东方元世联创图亿海纳圆广厦鸿聚力同荣万隆源祥大成建兴茂昌凯旭晟锦腾越润泽豪骏森";

function brand(rng: Rng, length: number): string {
  let s = "";
  while (s.length < length) {
    const c = BRAND_CHARS[rng.int(0, BRAND_CHARS.length - 1)] as string;
    if (!s.endsWith(c)) s += c;
  }
  return s;
}

const FIRM_SUFFIXES: Readonly<Record<Category, readonly string[]>> = {
  construction: [
    "建设工程有限公司",
    "建筑工程有限公司",
    "建设集团有限公司",
    "市政工程有限公司",
    "建工有限公司",
  ],
  government_procurement: [
    "科技有限公司",
    "信息技术有限公司",
    "贸易有限公司",
    "设备有限公司",
    "办公用品有限公司",
  ],
  water: ["水利水电工程有限公司", "水利建设有限公司", "环境工程有限公司"],
  transport: ["交通工程有限公司", "路桥工程有限公司", "公路工程有限公司"],
  medicine: ["医药有限公司", "医疗器械有限公司", "药业有限公司"],
  other: ["物业管理有限公司", "服务有限公司", "园林绿化工程有限公司"],
};

/** A firm name such as "杭州宏达建设工程有限公司"; `attempt` > 0 lengthens the brand to escape duplicates. */
export function firmName(rng: Rng, region: RegionInfo, category: Category, attempt: number): string {
  const prefix = rng.chance(0.2) ? "浙江" : region.cityShort;
  const len = attempt > 3 ? 4 : attempt > 0 || rng.chance(0.3) ? 3 : 2;
  return prefix + brand(rng, len) + rng.pick(FIRM_SUFFIXES[category]);
}

export function agencyName(rng: Rng, region: RegionInfo, attempt: number): string {
  const prefix = rng.chance(0.5) ? "浙江" : region.cityShort;
  const suffix = rng.pick([
    "工程咨询有限公司",
    "招标代理有限公司",
    "项目管理有限公司",
    "工程管理咨询有限公司",
  ]);
  return prefix + brand(rng, attempt > 0 ? 3 : 2) + suffix;
}

const TENDEREE_TEMPLATES: Readonly<Record<Category, readonly string[]>> = {
  construction: [
    "住房和城乡建设局",
    "城市建设投资集团有限公司",
    "教育局",
    "城市更新有限公司",
    "建设发展中心",
  ],
  government_procurement: ["教育局", "财政局", "人民法院", "公安分局", "卫生健康局", "政务服务中心"],
  water: ["水利局", "农业农村局", "水务集团有限公司", "河道管理站"],
  transport: ["交通运输局", "公路与港航管理中心", "交通投资集团有限公司", "城市管理局"],
  medicine: ["人民医院", "中医院", "妇幼保健院", "疾病预防控制中心", "第二人民医院"],
  other: ["机关事务管理局", "城市管理局", "文化广电旅游局", "民政局"],
};

/** The tenderee names of one district and category, at most `n` (distinct). */
export function tendereeNames(rng: Rng, region: RegionInfo, category: Category, n: number): string[] {
  const names = rng.shuffled(TENDEREE_TEMPLATES[category]).slice(0, n);
  return names.map((t) => `${region.city}${region.district}${t}`);
}

/** Credit-code authority and kind for a tenderee name: companies 9-1, public institutions 1-2, organs 1-1. */
export function tendereeCodeKind(name: string): [string, string] {
  if (name.endsWith("有限公司")) return ["9", "1"];
  if (/(医院|中心|保健院|站)$/.test(name)) return ["1", "2"];
  return ["1", "1"];
}

const ROADS =
  "文一 文二 文三 解放 延安 中山 人民 建设 环城 学院 庆春 凤起 天目山 莫干山 江南 滨江 钱江 世纪 复兴 新华 临平 五常 望江 秋涛".split(
    " ",
  );

/** A street address; about one in twenty contains an ASCII comma (exercises CSV quoting). */
export function address(rng: Rng, region: RegionInfo): string {
  const base = `${region.city}${region.district}${rng.pick(ROADS)}路${rng.int(1, 999)}号`;
  if (rng.chance(0.05))
    return `${base},${rng.pick(["创业园", "科技园", "商务中心", "大厦"])}${rng.int(1, 12)}号楼`;
  if (rng.chance(0.3)) return `${base}${rng.int(1, 30)}0${rng.int(1, 9)}室`;
  return base;
}

const PLACES =
  "城东片区 滨江大道 人民路 第二中学 中心医院 老旧小区 文化中心 体育馆 城南新区 工业园区 实验小学 农贸市场".split(
    " ",
  );
const WORKS = "改造 新建 提升改造 综合整治 扩建 维修加固".split(" ");
const GOODS = "办公设备 教学设备 信息化系统 公务车辆 办公家具 视频监控设备 服务器及存储 图书".split(" ");
const RIVERS = "东河 西溪 南渠 北港 运河支流 湘湖 苕溪".split(" ");
const ROAD_WORKS = "大中修 养护 拓宽改造 桥梁加固 路面修复".split(" ");
const MEDICINE = "常用药品 医用耗材 医疗设备 检验试剂 中药饮片".split(" ");
const SERVICES = "物业管理 保洁 安保 食堂经营 绿化养护".split(" ");

/** A tender title; about one in fifty contains ASCII quotes or a comma (exercises CSV quoting). */
export function tenderTitle(rng: Rng, region: RegionInfo, category: Category, tenderee: string): string {
  const where = region.district;
  let title: string;
  switch (category) {
    case "construction":
      title = `${where}${rng.pick(PLACES)}${rng.pick(WORKS)}工程施工`;
      break;
    case "government_procurement":
      title = `${tenderee}${rng.pick(GOODS)}采购项目`;
      break;
    case "water":
      title = rng.chance(0.7)
        ? `${where}${rng.pick(RIVERS)}河道综合治理工程`
        : `${where}${rng.pick(["水库除险加固", "农田水利灌溉", "海塘安澜"])}工程`;
      break;
    case "transport":
      title = `${where}${rng.pick(["县道", "乡道", "国道", "省道"])}${rng.int(1, 99)}线${rng.pick(ROAD_WORKS)}工程`;
      break;
    case "medicine":
      title = `${tenderee}${rng.pick(MEDICINE)}集中采购`;
      break;
    default:
      title = `${tenderee}${rng.pick(SERVICES)}服务项目`;
  }
  if (rng.chance(0.2)) title += `（第${rng.int(1, 5)}标段）`;
  const quirk = rng.float();
  if (quirk < 0.01) title = `"智慧${rng.pick(["校园", "社区", "城管"])}"${title}`;
  else if (quirk < 0.02) title += ",二期";
  return title;
}

export function methodFor(rng: Rng, category: Category): string {
  if (category === "government_procurement") {
    return rng.pick(["公开招标", "公开招标", "公开招标", "竞争性磋商", "竞争性谈判", "询价"]);
  }
  return rng.chance(0.93) ? "公开招标" : "邀请招标";
}

export const DISQUALIFY_REASONS = [
  "未按要求提交投标保证金",
  "投标文件未按规定签字盖章",
  "资格审查不合格",
  "项目经理资格不符合招标文件要求",
  "投标文件格式不符合要求",
  "投标有效期不满足招标文件要求",
] as const;

export const SANCTION_REASONS = [
  "串通投标",
  "提供虚假材料谋取中标",
  "无正当理由放弃中标资格",
  "拖欠农民工工资被列入失信名单",
  "以他人名义投标",
  "严重违法失信行为",
] as const;
