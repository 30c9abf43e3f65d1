"""Judge an OCR reading of one page: plausible, poor (worth another read) or unreadable.

Pure logic on the reading's text and tesseract's word confidences. A page read upside down or
sideways, a fax-like page binarized into noise or a page lost under a seal still yields "text", often
with a confident-looking mean; what gives it away is that the characters are not the ones Chinese
legal documents are written in, and that few lines carry a run of them. So a reading is scored by
the characters of the legal vocabulary it contains, weighted by tesseract's confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words every kind of filed document (complaints, notices, defenses, judgments, rulings, appearance
# records) is written with; their characters make up most of such a page. Written for this purpose
# from the genre's conventions, not taken from any corpus.
_LEGAL_WORDS = """
中华人民共和国 行政诉讼法 最高人民法院 关于适用 若干问题的解释 人民法院 中级 高级 基层 法院 本院 审理 审判长
审判员 人民陪审员 书记员 法官助理 行政判决书 行政裁定书 行政赔偿 判决如下 裁定如下 驳回 撤销 维持 确认 违法
无效 责令 履行 法定职责 变更 赔偿 诉讼请求 起诉 上诉 再审 申请 申诉 准予 撤回 撤诉 按撤诉处理 发回重审
原告 被告 第三人 上诉人 被上诉人 原审 再审申请人 被申请人 申请执行人 被执行人 法定代表人 负责人 委托代理人
诉讼代理人 律师 律师事务所 工作人员 职务 住所地 住址 出生 身份证号码 男 女 汉族 公司 有限责任 集体 组织
村民委员会 居民 街道办事处 人民政府 市 县 区 镇 乡 村 省 自治区 局 厅 委员会 管理 综合执法 自然资源和规划
公安 交通运输 市场监督 人力资源和社会保障 住房和城乡建设 生态环境 应急 税务 不动产登记中心 房屋征收
案由 案号 一案 立案 受理 公开开庭 依法组成合议庭 到庭参加诉讼 出庭 应诉 答辩 答辩状 起诉状 应诉通知书
举证通知书 传票 开庭 时间 地点 审判庭 法庭 证据 事实 理由 认定 查明 经审理 本院认为 综上 依照 根据 规定
第一条 第二条 第三条 第四条 第五条 第六条 第七条 第八条 第九条 第十条 第一款 第二款 第三项 款 项 条
之规定 的规定 法律 法规 规章 规范性文件 行政行为 行政机关 职权 程序 合法 适用 正确 错误 明显不当 主要证据
不足 超越 滥用 作出 决定书 处罚决定 复议决定 行政复议 复议机关 行政处罚 罚款 没收 拘留 吊销 许可证
行政许可 行政强制 强制拆除 限期 拆除 违法建设 违章建筑 征收补偿 安置 协议 土地 房屋 登记 信息公开 政府信息
工伤认定 社会保险 劳动 合同 不服 向本院提起 提起行政诉讼 诉至本院 请求判令 依法 判令 承担 负担 案件受理费
诉讼费用 元 人民币 本判决 本裁定 为终审 发生法律效力 如不服 可在判决书送达之日起十五日内 递交上诉状 副本
上诉于 送达 签收 收到 日期 年 月 日 二〇 一 二 三 四 五 六 七 八 九 十 〇 零 第 号 页 共 份 件 附 附件 清单
材料 复印件 原件 盖章 签名 印章 特此 通知 报告 情况 说明 如下 其他 以及 或者 并且 但是 因此 鉴于 经 由于 对于
是否 应当 不得 可以 已经 没有 未 不予 予以 给予 进行 提供 提交 提出 要求 同意 请 该 其 本 此 与 和 及 为 在 对
于 由 向 将 被 所 之 等 的 了 是 有 不 无 也 均 已 并 又 后 前 内 外 上 下 中 大 小 人 事 物 地 方 面 个 名 称 代表
主任 局长 科长 处长 副 正 职 单位 机关 部门 个人 公民 法人 当事人 利害关系人 主体 资格 权利 义务 合法权益 侵犯
损失 造成 影响 期限 期间 届满 逾期 超过 起诉期限 本案 该案 前述 上述 下列 所述 为由 为此 特 现 兹 谨 此致 敬礼
办事处 中心 大队 支队 分局 所 办公室 司法 管委会 市长 县长 区长 镇长 乡长 书记 部长 院长 主席 所长 队长 校长
经理 董事长 社长 总经理 署长 行长 工伤认定 行政协议 不动产登记 其他
"""

_CJK = re.compile(r"[\u4e00-\u9fff]")
_GARBAGE = re.compile(r"[A-Za-z|\\/_~^`@#$%&*={}<>\[\]]")


def _vocabulary_chars() -> frozenset[str]:
    words = _LEGAL_WORDS.split()
    return frozenset(ch for w in words for ch in w if _CJK.match(ch))


LEGAL_CHARS = _vocabulary_chars()


@dataclass(frozen=True)
class Reading:
    """What the judge looks at in one OCR reading."""

    text: str
    confidence: float  # tesseract's mean word confidence, 0..1
    words: int = 0


@dataclass(frozen=True)
class Judgement:
    poor: bool
    confidence: float
    score: float  # higher is a better reading of the same page: confidence x legal characters
    cjk: int  # CJK characters read
    legal_share: float  # share of them in the legal vocabulary
    garbage_share: float  # Latin letters and stray symbols among all non-space characters
    lines: int  # lines carrying at least 5 CJK characters
    reasons: tuple[str, ...] = ()

    def evidence(self) -> str:
        core = (f"confidence {self.confidence:.2f}, {self.cjk} CJK characters, "
                f"{100 * self.legal_share:.0f}% legal vocabulary, {100 * self.garbage_share:.0f}% stray symbols, "
                f"{self.lines} text lines")
        return core + (f" ({'; '.join(self.reasons)})" if self.reasons else "")


# Thresholds, measured on the sample's 119 scanned pages and the generated degraded pages
# (bench/ocr_bench.py, bench/ocr_degraded_bench.py): correct readings of court pages have >= 0.76 of
# their CJK characters in the vocabulary and >= 0.75 mean confidence; readings of pages turned
# sideways or upside down have 0.38-0.48 and < 0.3 confidence. Short pages (a signature block, a
# page footer) read correctly with >= 0.76 confidence, or with one clear line (a court's name); the
# ones read into garbage had <= 0.63 and no such line.
MIN_CONFIDENCE = 0.55
MIN_LEGAL_SHARE = 0.6
MIN_LEGAL_SHARE_ANY = 0.4  # below this a reading is poor however confident (a parties block read right: 0.56)
TRUSTED_CONFIDENCE = 0.8
MAX_GARBAGE_SHARE = 0.25
MIN_CJK = 40  # fewer CJK characters than this: a short page, judged by confidence and stray symbols
SHORT_MIN_CONFIDENCE = 0.72
SHORT_MAX_GARBAGE_SHARE = 0.1
MEDIUM_CJK = 120  # up to this many CJK characters a page must also be read with some confidence
MEDIUM_MIN_CONFIDENCE = 0.7
MIN_LINES = 3


# The lines a signature block is made of: the court's or agency's name, and the date.
_NAME_LINE = re.compile(r"[\u4e00-\u9fff]{2,24}(?:人民法院|人民政府|委员会|办事处|局)")
_NUM = r"[\d一二三四五六七八九十]{1,3}"
_DATE_LINE = re.compile(rf"(?:\d{{4}}|[〇一二三四五六七八九]{{4}})年{_NUM}月{_NUM}日")


def _clear_line(text: str) -> bool:
    """A short page read with modest confidence is still plausible when a line reads exactly like a
    signature block's court name or date: noise never does."""
    for line in text.splitlines():
        flat = re.sub(r"\s+", "", line)
        if _NAME_LINE.fullmatch(flat) or _DATE_LINE.fullmatch(flat):
            return True
    return False


def judge(reading: Reading) -> Judgement:
    text = reading.text
    chars = [ch for ch in text if not ch.isspace()]
    cjk = [ch for ch in chars if _CJK.match(ch)]
    legal = sum(1 for ch in cjk if ch in LEGAL_CHARS)
    share = legal / len(cjk) if cjk else 0.0
    garbage = sum(1 for ch in chars if _GARBAGE.match(ch)) / len(chars) if chars else 0.0
    lines = sum(1 for line in text.splitlines() if len(_CJK.findall(line)) >= 5)
    conf = reading.confidence
    short = len(cjk) < MIN_CJK
    reasons = []
    if not cjk:
        reasons.append("no Chinese text")
    elif short and (garbage > SHORT_MAX_GARBAGE_SHARE or (conf < SHORT_MIN_CONFIDENCE and not _clear_line(text))):
        reasons.append("little Chinese text, read unsure")
    elif len(cjk) < MEDIUM_CJK and conf < MEDIUM_MIN_CONFIDENCE and not _clear_line(text):
        # A signature page half read: the names came through, the date and the seal's text turned to noise.
        reasons.append("little Chinese text, read unsure")
    if conf < MIN_CONFIDENCE:
        reasons.append("low confidence")
    # Names and places lower the share of a correct reading a little; a confident one is trusted further.
    if not short and (share < MIN_LEGAL_SHARE_ANY or (share < MIN_LEGAL_SHARE and conf < TRUSTED_CONFIDENCE)):
        reasons.append("few characters of the legal vocabulary")
    if garbage > MAX_GARBAGE_SHARE:
        reasons.append("many stray symbols")
    if not short and lines < MIN_LINES and conf < SHORT_MIN_CONFIDENCE:
        reasons.append("no text lines")
    return Judgement(poor=bool(reasons), confidence=conf, score=conf * legal * (1.0 - garbage), cjk=len(cjk),
                     legal_share=share, garbage_share=garbage, lines=lines, reasons=tuple(reasons))
