"""Whether an OCR'd Chinese personal name is plausible as read.

OCR misreads a name's characters into other real characters (韩 → 罪, 曹 → 章), so a name read from a
scan cannot be checked against a dictionary of names. Its surname can: Chinese surnames are a small,
closed set, and a misread surname is most often a character that is no surname at all. A name that
does not begin with a known surname is therefore a doubtful read a person confirms; one that does is
not proof (章 is a surname too), which is why names from two sources are also compared
(cases/plausibility.py).
"""

from __future__ import annotations

__all__ = ["has_known_surname"]

# Single-character surnames covering nearly all of the population (the common part of 百家姓 and the
# census lists), in no particular order.
_SINGLE = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单"
    "季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚"
    "娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘"
    "池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠"
    "豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰"
    "赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富"
    "尧闭由郇竺步丘璩訾屈仉宦堵钮钭厍凤经郦储佴廖蓟骞鄂胶焦晏谭伯蔚越夔隗"
)
# Two-character surnames: the name then starts with both characters.
_DOUBLE = frozenset(
    {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕",
     "令狐", "端木", "独孤", "南宫", "西门", "百里", "呼延", "万俟", "澹台", "公羊", "申屠", "太史", "闻人", "司空"}
)


def has_known_surname(name: str) -> bool:
    """Whether `name` (2 to 4 characters as read) starts with a known Chinese surname."""
    return len(name) >= 2 and (name[0] in _SINGLE or name[:2] in _DOUBLE)
