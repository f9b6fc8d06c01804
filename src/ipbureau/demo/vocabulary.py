"""Word parts the demo generator composes names and texts from.

Everything here is invented for the demo: organisation names are assembled from brand
syllables that do not belong to a real organisation, people's names from common
surnames and given-name characters. Technical vocabulary per industry chain comes
from ``navigation/data/industry_chains.yaml``; this module adds the connecting words.
"""

from __future__ import annotations

# District weights: share of Tianjin's innovation entities by district (relative). Binhai
# holds the development zones and most high-tech firms; the ring districts (西青 东丽
# 津南 北辰 武清) come next; the six central districts are small but host universities.
DISTRICT_WEIGHTS: dict[str, float] = {
    "120116": 30.0,  # 滨海新区
    "120111": 9.0,  # 西青区
    "120110": 8.0,  # 东丽区
    "120112": 6.5,  # 津南区
    "120113": 7.0,  # 北辰区
    "120114": 7.0,  # 武清区
    "120118": 4.0,  # 静海区
    "120115": 3.0,  # 宝坻区
    "120117": 2.0,  # 宁河区
    "120119": 2.0,  # 蓟州区
    "120104": 4.5,  # 南开区
    "120103": 4.0,  # 河西区
    "120102": 2.5,  # 河东区
    "120105": 2.5,  # 河北区
    "120101": 2.0,  # 和平区
    "120106": 1.5,  # 红桥区
}

# Where universities and institutes are placed: 南开/河西 campuses, the 海河教育园区 (津南),
# 西青 and 北辰 university towns, and Binhai's research institutes.
ACADEMIC_DISTRICTS = ("120104", "120104", "120103", "120112", "120112", "120111", "120116", "120113")

BRAND_CHARS = (
    "瀚博睿泽澜创诚锐恒鼎昊晟拓宏骏弘远嘉裕诺航峰岳朗清源启华卓钧铭凯越景沣璟翼辰霖麟")
BRAND_SECOND = (
    "达科联信科通盈泰智辉成祥安图川瑞誉昌润芯途航腾杰驰宸禾川达合邦迈桥翰瑜捷晖")

ENTERPRISE_FIELDS: dict[str, tuple[str, ...]] = {
    "xinchuang": ("信息技术", "软件", "数据科技", "网络安全技术", "智能科技", "云计算技术"),
    "gaoduan_zhuangbei": ("智能装备", "机器人", "精密机械", "自动化设备", "重工", "海洋工程装备"),
    "jicheng_dianlu": ("微电子", "半导体", "芯片科技", "集成电路设计", "电子科技"),
    "chelianwang": ("智能网联科技", "智行科技", "汽车电子", "交通科技", "车联科技"),
    "shengwu_yiyao": ("生物科技", "医药", "生物医药", "医疗器械", "基因科技", "制药"),
    "zhongyiyao": ("中药", "药业", "中医药科技", "本草科技", "健康产业"),
    "xinnengyuan": ("新能源", "储能科技", "光伏科技", "氢能科技", "电力科技", "能源技术"),
    "xincailiao": ("新材料", "材料科技", "高分子材料", "复合材料", "纳米科技", "金属材料"),
    "hangkong_hangtian": ("航空科技", "航天技术", "无人机科技", "航空装备", "飞行器"),
    "qiche": ("汽车零部件", "汽车科技", "新能源汽车", "电驱动技术", "车辆工程"),
    "lvse_shihua": ("石化", "化工", "化学工业", "环保科技", "催化剂", "石化装备"),
    "qinggong": ("食品", "电器", "自行车", "包装制品", "家具", "日用品"),
}
COMPANY_SUFFIXES = (("有限公司", 0.78), ("股份有限公司", 0.14), ("集团有限公司", 0.04), ("有限责任公司", 0.04))

# Fictional universities and institutes: invented place-words, never a real school's name.
ACADEMIC_PLACES = ("渤澜", "津海", "沽原", "卫河", "蓟原", "滨港", "瀚海", "海澄", "沽水", "静原", "宁淀", "武兴")
UNIVERSITY_DISCIPLINES = (
    "理工", "工程技术", "医药", "信息工程", "材料科技", "海洋技术", "航空工程", "农林科技", "轻工职业技术", "化工")
INSTITUTE_FIELDS = (
    "先进制造", "智能网联汽车", "生物医药", "新能源技术", "集成电路", "新材料", "航空航天技术", "信创软件", "绿色化工",
    "中医药现代化")

TAG_FREQUENCIES = (
    ("高新技术企业", 0.42),
    ("科技型中小企业", 0.50),
    ("专精特新", 0.14),
    ("小巨人", 0.025),
    ("国家知识产权优势企业", 0.03),
    ("国家知识产权示范企业", 0.004),
    ("高质量专利创造试点", 0.015),
    ("老字号", 0.004),
)

SURNAMES = (
    ("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 4.5), ("杨", 3.1), ("赵", 2.3), ("黄", 2.2),
    ("周", 2.1), ("吴", 2.0), ("徐", 1.7), ("孙", 1.6), ("胡", 1.3), ("朱", 1.3), ("高", 1.2), ("林", 1.2),
    ("何", 1.2), ("郭", 1.1), ("马", 1.1), ("罗", 0.9), ("梁", 0.9), ("宋", 0.8), ("郑", 0.8), ("谢", 0.7),
    ("韩", 0.7), ("唐", 0.7), ("冯", 0.6), ("于", 0.6), ("董", 0.6), ("萧", 0.3), ("程", 0.6), ("曹", 0.6),
    ("袁", 0.5), ("邓", 0.5), ("许", 0.5), ("傅", 0.4), ("沈", 0.4), ("曾", 0.4), ("彭", 0.4), ("吕", 0.4),
    ("田", 0.4), ("白", 0.3), ("崔", 0.3), ("孟", 0.3), ("姜", 0.3), ("付", 0.3), ("范", 0.3), ("魏", 0.3),
)
GIVEN_CHARS = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华建国志鹏宇浩然博文晨阳欣怡子涵雨婷佳琪俊凯思远海峰立新晓东亚楠泽宁"

STREET_WORDS = ("海泰", "华苑", "新技术", "滨海", "创新", "兴华", "祥和", "宏达", "瑞景", "星光", "金桥", "津塘",
                "福源", "泰华", "嘉园", "昌盛", "长江", "黄河", "珠江", "复兴", "友谊", "胜利", "团结", "光明")
STREET_KINDS = ("路", "道", "大街", "支路")

# Out-of-town applicants: province prefix of the address, a city and postcode prefix.
OUT_OF_TOWN = (
    ("北京市", "海淀区", "100"), ("北京市", "朝阳区", "100"), ("上海市", "浦东新区", "201"),
    ("河北省", "石家庄市", "050"), ("河北省", "廊坊市", "065"), ("河北省", "沧州市", "061"),
    ("江苏省", "苏州市", "215"), ("江苏省", "南京市", "210"), ("浙江省", "杭州市", "310"),
    ("广东省", "深圳市", "518"), ("山东省", "济南市", "250"), ("山东省", "青岛市", "266"),
    ("辽宁省", "沈阳市", "110"), ("湖北省", "武汉市", "430"), ("四川省", "成都市", "610"),
)

AGENCY_FORMS = ("专利代理事务所（普通合伙）", "知识产权代理有限公司", "专利代理有限公司", "知识产权代理事务所（特殊普通合伙）")

# Connecting words for titles, abstracts and claims, per chain: "techniques" go before
# the object ("一种基于深度学习的…"), "parts" are components named in device claims.
TECHNIQUES: dict[str, tuple[str, ...]] = {
    "xinchuang": ("基于深度学习", "基于区块链", "基于国密算法", "基于知识图谱", "基于微服务架构", "基于联邦学习",
                  "面向国产化平台", "支持多租户"),
    "gaoduan_zhuangbei": ("基于机器视觉", "基于数字孪生", "基于力反馈", "高精度", "多自由度", "自适应",
                          "基于振动信号分析"),
    "jicheng_dianlu": ("低功耗", "高可靠性", "基于自对准工艺", "抗辐照", "高速", "低噪声", "三维堆叠"),
    "chelianwang": ("基于深度学习", "基于多传感器融合", "基于V2X通信", "基于高精度定位", "基于边缘计算",
                    "基于强化学习", "车路协同"),
    "shengwu_yiyao": ("高效", "靶向", "基于CRISPR", "高通量", "长效", "微创", "稳定性高"),
    "zhongyiyao": ("传统", "低温", "超临界", "基于指纹图谱", "复方", "智能化"),
    "xinnengyuan": ("高能量密度", "长循环寿命", "基于模型预测控制", "智能", "高效率", "低温型"),
    "xincailiao": ("高强度", "耐高温", "可降解", "轻量化", "耐腐蚀", "高导热", "自修复"),
    "hangkong_hangtian": ("轻量化", "长航时", "基于视觉导航", "高精度", "模块化", "可折叠"),
    "qiche": ("轻量化", "集成式", "基于模型预测控制", "高效", "低噪声", "智能"),
    "lvse_shihua": ("低能耗", "绿色", "高选择性", "连续化", "节能型", "基于膜分离"),
    "qinggong": ("智能", "便携式", "多功能", "节能", "可折叠", "易清洁"),
}
PARTS = ("壳体", "底座", "支架", "控制模块", "驱动组件", "传感器", "连接件", "散热板", "固定座", "调节机构",
         "安装板", "导向槽", "密封圈", "检测单元", "处理器", "通信模块", "电源模块", "转轴", "卡扣", "显示屏")
POSITIONS = ("顶部", "底部", "一侧", "内侧", "外壁", "端部", "中部")
UTILITY_ADJECTIVES = ("便于拆卸的", "具有散热功能的", "可调节的", "防尘", "新型", "便于安装的", "防震",
                      "可快速连接的", "稳定性好的", "具有自清洁功能的")
UTILITY_NOUNS = ("装置", "结构", "组件", "设备", "机构")
# Chains by the kind of invention they mostly file: data/control methods, chemical or
# biological processes and products, or machines; titles, steps and claims follow the kind.
CHAIN_KIND: dict[str, str] = {
    "xinchuang": "data", "chelianwang": "data", "jicheng_dianlu": "device",
    "gaoduan_zhuangbei": "machine", "hangkong_hangtian": "machine", "qiche": "machine", "qinggong": "machine",
    "xinnengyuan": "device", "xincailiao": "process", "shengwu_yiyao": "process", "zhongyiyao": "process",
    "lvse_shihua": "process",
}
INVENTION_NOUNS: dict[str, tuple[str, ...]] = {
    "data": ("方法", "系统", "方法及系统", "方法、装置及存储介质", "调度方法", "识别方法", "处理方法"),
    "device": ("及其制造方法", "结构及其制备方法", "控制方法", "检测方法", "模块"),
    "machine": ("控制方法", "系统", "装置及方法", "检测方法", "故障诊断方法", "装配方法"),
    "process": ("及其制备方法", "的制备方法", "及其应用", "的检测方法", "的生产工艺"),
}
STEPS: dict[str, tuple[str, ...]] = {
    "data": ("获取待处理的原始数据", "对所述原始数据进行预处理", "提取特征向量", "将特征向量输入训练好的模型",
             "根据模型输出确定目标结果", "将结果发送至管理平台"),
    "device": ("提供衬底", "在所述衬底上形成第一介质层", "刻蚀形成沟槽", "在所述沟槽内沉积导电材料",
               "进行退火处理", "形成保护层"),
    "machine": ("采集设备运行参数", "判断所述参数是否超过预设阈值", "计算执行机构的目标位置",
                "驱动执行机构运动至目标位置", "记录运行状态并反馈"),
    "process": ("按质量份称取原料", "将原料混合均匀", "在预定温度下反应", "过滤、洗涤并干燥", "粉碎并过筛",
                "检测产品纯度"),
}
EFFECTS = ("提高了检测精度", "降低了生产成本", "结构简单，便于维护", "提升了运行效率", "延长了使用寿命",
           "减少了能源消耗", "提高了系统的安全性", "改善了产品的一致性", "便于推广应用", "降低了故障率",
           "提高了数据处理速度", "减少了环境污染")
PROBLEMS = ("精度不足", "成本较高", "效率低下", "稳定性差", "能耗高", "操作繁琐", "安全性不足", "寿命短")
PROCESS_EQUIPMENT = ("生产用混合装置", "加工用干燥设备", "制备用反应釜", "检测用取样装置", "生产用过滤装置",
                     "生产用输送装置")
NICE_CLASS_WEIGHTS: dict[int, float] = {
    9: 9.0, 35: 12.0, 42: 7.0, 7: 4.5, 30: 4.0, 29: 3.0, 25: 4.0, 3: 3.0, 5: 3.5, 11: 3.5, 41: 4.0, 43: 3.0,
    10: 2.5, 12: 2.5, 1: 3.0, 16: 2.0, 20: 2.0, 21: 2.0, 28: 1.5, 32: 1.5, 33: 1.0, 44: 1.5, 36: 1.5, 37: 1.5,
    39: 1.5, 40: 1.5, 6: 1.5, 2: 1.0, 4: 0.8, 8: 0.8, 17: 1.0, 19: 1.2, 24: 0.8, 18: 0.8, 31: 1.0, 14: 0.6,
    15: 0.3, 13: 0.2, 22: 0.4, 23: 0.3, 26: 0.4, 27: 0.4, 34: 0.3, 38: 1.0, 45: 0.8,
}
MARK_SYLLABLES = "津澜瀚博睿泽创锐恒鼎昊晟拓宏骏沽海河卫蓟源禾木森悦朗星辰云启航领鸿嘉逸润"
MARK_LATIN = ("TECH", "PRO", "LINK", "GO", "MAX", "ONE", "SMART", "PLUS")
# Fictional geographical indications: invented place-words plus a local product.
GEO_INDICATIONS = (
    ("蓟原山楂", 31, "120119"), ("沽水甜瓜", 31, "120118"), ("渤澜海盐", 30, "120116"),
    ("宁淀河蟹", 31, "120117"), ("武兴青萝卜", 31, "120114"), ("静原葡萄", 31, "120118"),
)
