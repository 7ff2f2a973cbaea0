/**
 * The one table of input columns: canonical names, types, whether required, and the header
 * aliases seen on Chinese trading platforms. Headers match case-insensitively after trimming
 * (and after stripping a unit suffix such as "(万元)", which sets the column's unit).
 * Changing a canonical name is a contract change (../shared/spec/contract.md §1).
 */
export type ColumnType =
  | "text"
  | "id"
  | "firm_id"
  | "person_id"
  | "price"
  | "timestamp"
  | "date"
  | "bool"
  | "mac"
  | "category"
  | "role"
  | "subject_type";

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  readonly required?: boolean;
  readonly aliases: readonly string[];
}

export type TableName = "tenders" | "bids" | "firms" | "firm_people" | "sanctions";

export const TABLE_NAMES: readonly TableName[] = ["tenders", "bids", "firms", "firm_people", "sanctions"];

/** Tables whose stems are accepted as file names, with Chinese file-name aliases. */
export const TABLE_ALIASES: Readonly<Record<TableName, readonly string[]>> = {
  tenders: ["tender", "标段", "标段信息", "招标项目"],
  bids: ["bid", "投标", "投标记录", "投标信息"],
  firms: ["firm", "企业", "投标人", "企业信息"],
  firm_people: ["people", "企业人员", "人员"],
  sanctions: ["sanction", "失信", "黑名单", "不良行为"],
};

const TENDERS: readonly ColumnSpec[] = [
  {
    name: "tender_id",
    type: "id",
    required: true,
    aliases: ["标段编号", "项目编号", "标段(包)编号", "标段（包）编号", "招标编号"],
  },
  { name: "title", type: "text", aliases: ["标段名称", "项目名称", "招标项目名称"] },
  { name: "region", type: "text", aliases: ["行政区划代码", "行政区划", "地区"] },
  { name: "category", type: "category", aliases: ["项目类型", "行业", "交易类型", "项目分类"] },
  { name: "method", type: "text", aliases: ["招标方式", "采购方式"] },
  {
    name: "tenderee_id",
    type: "text",
    aliases: ["招标人", "招标人代码", "采购人", "招标人统一社会信用代码"],
  },
  { name: "agency_id", type: "text", aliases: ["招标代理机构", "代理机构", "招标代理机构代码"] },
  { name: "ceiling_price", type: "price", aliases: ["最高投标限价", "招标控制价", "控制价", "预算金额"] },
  { name: "published_at", type: "timestamp", aliases: ["公告发布时间", "发布时间", "招标公告时间"] },
  { name: "bid_deadline", type: "timestamp", aliases: ["开标时间", "投标截止时间", "递交截止时间"] },
  { name: "evaluation_method", type: "text", aliases: ["评标办法", "评标方法"] },
  { name: "award_price", type: "price", aliases: ["中标价", "中标金额", "成交金额"] },
];

const BIDS: readonly ColumnSpec[] = [
  {
    name: "tender_id",
    type: "id",
    required: true,
    aliases: ["标段编号", "项目编号", "标段(包)编号", "标段（包）编号", "招标编号"],
  },
  {
    name: "firm_id",
    type: "firm_id",
    required: true,
    aliases: ["投标人统一社会信用代码", "统一社会信用代码", "投标人代码", "投标单位代码"],
  },
  {
    name: "price",
    type: "price",
    required: true,
    aliases: ["投标报价", "投标价格", "报价(元)", "报价（元）", "投标报价(元)", "投标报价（元）", "报价"],
  },
  { name: "bid_id", type: "id", aliases: ["投标编号", "投标文件编号"] },
  { name: "firm_name", type: "text", aliases: ["投标人名称", "投标单位", "投标人"] },
  {
    name: "submitted_at",
    type: "timestamp",
    aliases: ["递交时间", "上传时间", "投标时间", "投标文件递交时间"],
  },
  { name: "ip", type: "text", aliases: ["IP地址", "投标IP", "上传IP", "IP"] },
  { name: "mac", type: "mac", aliases: ["MAC地址", "网卡地址", "MAC"] },
  { name: "hardware_id", type: "text", aliases: ["机器码", "硬件特征码", "CPU序列号", "硬盘序列号"] },
  { name: "software_lock_id", type: "text", aliases: ["计价软件加密锁号", "加密锁号", "锁号"] },
  { name: "file_hash", type: "text", aliases: ["投标文件哈希", "文件MD5", "文件指纹"] },
  { name: "file_author", type: "text", aliases: ["文件制作人", "文件创建者"] },
  { name: "bond_account", type: "text", aliases: ["保证金缴纳账号", "保证金账户", "付款账号"] },
  {
    name: "project_manager_id",
    type: "person_id",
    aliases: ["项目经理身份证号", "项目负责人证件号", "项目经理证件号"],
  },
  { name: "contact_phone", type: "text", aliases: ["联系电话", "委托代理人电话"] },
  { name: "is_winner", type: "bool", aliases: ["是否中标", "中标"] },
  { name: "disqualified", type: "bool", aliases: ["是否废标", "否决投标", "是否否决"] },
  { name: "disqualify_reason", type: "text", aliases: ["废标原因", "否决原因"] },
];

const FIRMS: readonly ColumnSpec[] = [
  {
    name: "firm_id",
    type: "firm_id",
    required: true,
    aliases: ["统一社会信用代码", "企业代码", "投标人统一社会信用代码"],
  },
  { name: "name", type: "text", aliases: ["企业名称", "单位名称", "名称"] },
  {
    name: "legal_rep_id",
    type: "person_id",
    aliases: ["法定代表人身份证号", "法人身份证号", "法定代表人证件号"],
  },
  { name: "phone", type: "text", aliases: ["联系电话", "电话"] },
  { name: "address", type: "text", aliases: ["地址", "注册地址", "住所"] },
  { name: "region", type: "text", aliases: ["行政区划代码", "地区", "注册地"] },
  { name: "established_at", type: "date", aliases: ["成立日期", "成立时间"] },
];

const FIRM_PEOPLE: readonly ColumnSpec[] = [
  { name: "firm_id", type: "firm_id", required: true, aliases: ["统一社会信用代码", "企业代码"] },
  { name: "person_id", type: "person_id", required: true, aliases: ["身份证号", "证件号码", "人员证件号"] },
  { name: "role", type: "role", aliases: ["角色", "职务", "人员类型"] },
];

const SANCTIONS: readonly ColumnSpec[] = [
  {
    name: "subject_id",
    type: "person_id",
    required: true,
    aliases: ["主体代码", "统一社会信用代码", "证件号码", "当事人代码"],
  },
  { name: "subject_type", type: "subject_type", aliases: ["主体类型", "当事人类型"] },
  { name: "reason", type: "text", aliases: ["处罚原因", "失信原因", "不良行为"] },
  { name: "start_date", type: "date", aliases: ["处罚开始日期", "开始日期", "起始日期"] },
  { name: "end_date", type: "date", aliases: ["处罚结束日期", "结束日期", "截止日期"] },
];

export const COLUMNS: Readonly<Record<TableName, readonly ColumnSpec[]>> = {
  tenders: TENDERS,
  bids: BIDS,
  firms: FIRMS,
  firm_people: FIRM_PEOPLE,
  sanctions: SANCTIONS,
};

/** The contract's tender categories and the Chinese labels platforms use for them. */
export const CATEGORY_ALIASES: Readonly<Record<string, readonly string[]>> = {
  construction: ["工程建设", "房屋建筑", "市政", "建设工程", "房建"],
  government_procurement: ["政府采购", "采购"],
  water: ["水利", "水利工程"],
  transport: ["交通", "交通运输", "公路"],
  land: ["土地", "国土", "土地矿业权"],
  medicine: ["医药", "药品", "医疗器械", "医药采购"],
  state_assets: ["国有产权", "国有资产"],
  other: ["其他"],
};

/** Subject types of sanctions. */
export const SUBJECT_TYPE_ALIASES: Readonly<Record<string, readonly string[]>> = {
  firm: ["企业", "单位", "法人", "公司", "organisation", "organization"],
  person: ["个人", "自然人", "人员", "individual"],
};

/** Role labels of firm_people. */
export const ROLE_ALIASES: Readonly<Record<string, readonly string[]>> = {
  legal_rep: ["法定代表人", "法人"],
  shareholder: ["股东"],
  director: ["董事", "监事"],
  manager: ["经理", "总经理"],
  project_manager: ["项目经理", "项目负责人"],
  contact: ["联系人", "委托代理人"],
};

/** Key columns per table: a later row with the same key is a duplicate or a new version. */
export const TABLE_KEYS: Readonly<Record<TableName, readonly string[]>> = {
  tenders: ["tender_id"],
  bids: ["bid_id"],
  firms: ["firm_id"],
  firm_people: ["firm_id", "person_id", "role"],
  sanctions: ["subject_id", "subject_type", "start_date"],
};

/** The order tables are loaded in, so that derived rows (tenders and firms named in bids) fill gaps only. */
export const LOAD_ORDER: readonly TableName[] = ["firms", "firm_people", "sanctions", "tenders", "bids"];
