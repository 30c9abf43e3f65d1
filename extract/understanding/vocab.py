"""Closed vocabularies that OCR output is corrected against.

Case-number courts and type codes follow the SPC rules (法〔2015〕137号, revised 2018); cause
categories use the stable English keys the rest of the system stores.
"""

from __future__ import annotations

# Province-level court abbreviations (plus 兵 for the Xinjiang Production and Construction Corps;
# Guizhou prints 黔, 贵 is kept for typed numbers).
PROVINCES = frozenset("京津沪渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤琼川黔贵云陕甘青蒙桂藏宁新兵")

# Province-level names as courts print them, and their case-number abbreviation.
PROVINCE_NAMES: dict[str, str] = {
    "北京": "京", "天津": "津", "上海": "沪", "重庆": "渝", "河北": "冀", "山西": "晋", "辽宁": "辽", "吉林": "吉",
    "黑龙江": "黑", "江苏": "苏", "浙江": "浙", "安徽": "皖", "福建": "闽", "江西": "赣", "山东": "鲁", "河南": "豫",
    "湖北": "鄂", "湖南": "湘", "广东": "粤", "海南": "琼", "四川": "川", "贵州": "黔", "云南": "云", "陕西": "陕",
    "甘肃": "甘", "青海": "青", "内蒙古": "蒙", "广西": "桂", "西藏": "藏", "宁夏": "宁", "新疆生产建设兵团": "兵",
    "新疆": "新",
}

# What tesseract chi_sim has been seen to read instead of a province character; only
# unambiguous look-alikes, so a stray character never turns into a court.
PROVINCE_CONFUSIONS: dict[str, str] = {
    "兽": "鲁",
    "曾": "鲁",
    "鱼": "鲁",
    "普": "鲁",
    "智": "鲁",
    "晷": "鲁",
    "咎": "鲁",
}

# Administrative-litigation type codes; longest first so 行审复 wins over 行审.
ADMIN_TYPE_CODES: tuple[str, ...] = tuple(
    sorted(
        (
            "行初", "行终", "行申", "行再", "行监", "行抗", "行审", "行审复", "行他", "行辖", "行辖终",
            "行赔初", "行赔终", "行赔申", "行赔再", "行赔监", "行赔抗",
        ),
        key=len,
        reverse=True,
    )
)
ADMIN_TYPE_SET = frozenset(ADMIN_TYPE_CODES)
# Enforcement type codes (执行案件): agencies receive 执行裁定书 of the enforcement they applied for.
EXECUTION_TYPE_CODES: tuple[str, ...] = ("执恢", "执保", "执异", "执复", "执监", "执协", "执他", "执")
# Special-court province prefixes besides the province characters (最高人民法院 prints 最高法).
SUPREME_COURT_CODE = "最高法"
# Characters a pre-2016 type code (行初, 行（知）终, 行重初, 非诉行执审, 执) is made of after its first
# 行/执/非诉.
LEGACY_TYPE_CHARS = "初终再申监提抗审执赔他重辖恢异复保协"

# OCR look-alikes of the characters after 行 in a type code.
TYPE_CHAR_CONFUSIONS: dict[str, str] = {
    "中": "申",
    "冉": "再",
    "宙": "审",
    "陪": "赔",
    "培": "赔",
    "倍": "赔",
    "絡": "终",
    "纹": "终",
    "神": "申",
    "由": "申",
    "甲": "申",
    "辐": "辖",
    "害": "辖",
    "刻": "初",
    "切": "初",
    "坷": "初",
    "绞": "终",
    "祝": "初",
    "衬": "初",
}

# Digits as OCR misreads them.
DIGIT_CONFUSIONS: dict[str, str] = {
    "O": "0", "o": "0", "D": "0", "Q": "0", "〇": "0", "○": "0",
    "l": "1", "I": "1", "|": "1", "i": "1", "!": "1",
    "Z": "2", "z": "2",
    "S": "5", "s": "5",
    "B": "8",
    "g": "9",
}

# Cause categories: key -> keywords (checked in this order; more specific first).
CAUSE_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("compensation", ("行政赔偿", "赔偿申请", "赔偿决定", "判令被告赔偿")),
    ("housing_expropriation", ("房屋征收", "征收补偿", "征收决定", "拆迁补偿", "拆迁安置", "征收")),
    ("info_disclosure", ("政府信息公开", "信息公开")),
    ("work_injury", ("工伤认定", "工伤")),
    # One category 行政强制 (demolition is by far its most common form); key as stored in truth data.
    ("forced_demolition", ("强制拆除", "强拆", "行政强制")),
    ("property_registration", ("不动产登记", "房屋登记", "土地登记", "行政登记", "颁发不动产权证")),
    ("admin_reconsideration", ("行政复议", "复议")),
    ("admin_penalty", ("行政处罚", "处罚决定")),
    ("failure_to_perform", ("履行法定职责", "不作为")),
    ("admin_license", ("行政许可",)),
    ("admin_agreement", ("行政协议",)),
)

# Words that mark a party name as an administrative body.
AGENCY_MARKERS: tuple[str, ...] = (
    "人民政府", "办事处", "局", "委员会", "管委会", "管理委员会", "中心", "大队", "支队", "分局", "所",
    "厅", "办公室", "司法", "公安", "政府",
)

# Head-of-agency titles: deputies carry 副; these are principals.
PRINCIPAL_TITLES: tuple[str, ...] = (
    "局长", "市长", "县长", "区长", "镇长", "乡长", "主任", "书记", "厅长", "部长", "处长", "院长",
    "主席", "所长", "队长", "校长", "经理", "董事长", "社长", "总经理", "署长", "行长",
)
