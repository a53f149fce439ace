"""A labelled set for the similar-case look-up: paraphrases of the same
complaint (duplicates) and different complaints at the same compound (not).

Each topic is written two or three ways by hand; the paraphrase rules then
vary a phrasing the way callers and typists do: synonyms, the order of the
clauses, the 12345 boilerplate around it, punctuation, the building number
said or not. Deterministic for a seed."""

import random
from dataclasses import dataclass

# Topic: the ways a caller puts the same problem. {b} is the building.
TOPICS: tuple[tuple[str, ...], ...] = (
    (
        "{b}号楼电梯坏了，老人上下楼很困难",
        "{b}号楼的电梯停运好几天了，家里老人没法下楼",
        "电梯故障一直没修，{b}号楼老人出行困难",
    ),
    (
        "{b}号楼电梯运行时有异响，担心安全",
        "{b}号楼电梯运行中咣当咣当响，怕出事故",
        "电梯有很大的异响，{b}号楼居民担心安全隐患",
    ),
    ("{b}号楼楼道灯不亮，晚上走路看不见", "{b}号楼楼道里的灯坏了，夜里摸黑上楼", "楼道照明灯损坏，{b}号楼晚上一片漆黑"),
    (
        "{b}号楼楼顶漏水，家里天花板渗水",
        "{b}号楼顶层屋面漏雨，屋里顶棚往下滴水",
        "下雨楼顶漏水，{b}号楼顶层住户屋顶渗水发霉",
    ),
    ("{b}号楼下水道堵塞，污水反到地面", "{b}号楼下水管道堵了，污水冒出来了", "下水道堵塞返水，{b}号楼门口全是污水"),
    (
        "小区垃圾桶满了没人清运，气味很大",
        "垃圾好几天没人清运，垃圾桶都溢出来了，味道难闻",
        "小区里垃圾堆满没有清运，臭味很重",
    ),
    ("楼下饭馆油烟太大，熏得没法开窗", "底商餐馆排油烟扰民，窗户都不敢开", "楼下餐饮店油烟直排，家里全是油烟味"),
    ("晚上广场舞音响声音太大，影响休息", "广场舞噪音扰民，晚上九点多还在放音乐", "跳广场舞的音响太吵，晚上没法休息"),
    (
        "{b}号楼有人在楼道里堆放杂物，堵住了消防通道",
        "{b}号楼楼道堆满杂物，消防通道被堵",
        "楼道杂物堆积占用消防通道，{b}号楼存在火灾隐患",
    ),
    ("{b}号楼暖气不热，家里只有十几度", "{b}号楼供暖温度不达标，屋里才十五度", "暖气片冰凉不热，{b}号楼室温太低"),
    ("小区门口共享单车乱停放，堵住出入口", "共享单车堆在小区大门口，人都过不去", "大门口停满共享单车，影响居民出入"),
    (
        "{b}号楼有人在楼道给电动车充电，很危险",
        "{b}号楼居民把电动自行车推进楼道充电，有安全隐患",
        "楼道里私拉电线给电动车充电，{b}号楼担心起火",
    ),
    ("小区路灯坏了好几盏，晚上很黑", "小区里的路灯不亮，夜间出行不安全", "路灯损坏没人修，小区道路晚上漆黑"),
    (
        "{b}号楼楼上装修噪音太大，周末一早就开始砸墙",
        "{b}号楼有住户装修，早上七点就电钻作业",
        "楼上装修施工噪音扰民，{b}号楼周末也不停",
    ),
    (
        "小区停车位被外来车辆占用，业主没地方停车",
        "外来车辆随意进入小区停车，居民车位被占",
        "小区车位被外部车辆占满，业主回家无处停车",
    ),
    (
        "{b}号楼外墙皮脱落，掉下来砸到人怎么办",
        "{b}号楼外墙瓷砖松动掉落，存在高空坠物隐患",
        "外墙保温层脱落，{b}号楼下行人有危险",
    ),
    (
        "小区绿化带里的树枝太长，挡住了窗户采光",
        "树木长得太高遮挡阳光，家里白天都要开灯",
        "绿化树木没有修剪，挡住低层住户采光",
    ),
    ("{b}号楼单元门门禁坏了，陌生人随便进出", "{b}号楼单元门禁系统损坏，门关不上", "单元门锁坏了，{b}号楼外人随意进入"),
    ("小区里有流浪狗，晚上叫个不停还追人", "流浪狗在小区游荡，咬人怎么办", "小区出现多只流浪犬，居民害怕"),
    ("{b}号楼自来水发黄，有铁锈味", "{b}号楼水龙头出来的水是黄色的，不敢喝", "自来水水质浑浊发黄，{b}号楼多户反映"),
    ("{b}号楼停水两天了也没有通知", "{b}号楼突然停水，没有任何通知，生活不便", "已经停水两天，{b}号楼居民没有水用"),
    ("物业服务差，收了物业费不干活", "物业公司不作为，保洁保安都不到位", "对物业服务不满意，物业费照收但是不管事"),
    ("小区健身器材损坏，孩子玩耍有危险", "健身器材坏了没人修，有安全隐患", "小区里的健身设施破损，存在危险"),
    (
        "{b}号楼楼下的井盖破损，有人差点掉进去",
        "{b}号楼门口井盖缺失，夜里很危险",
        "井盖松动破损，{b}号楼前路过的人容易崴脚",
    ),
    (
        "小区门口早市占道经营，堵路还很脏",
        "早市摊贩占用道路摆摊，交通堵塞，垃圾满地",
        "门口马路有人占道摆摊卖菜，影响通行",
    ),
    ("{b}号楼有人在楼顶私搭乱建", "{b}号楼顶层住户在屋顶违建阳光房", "楼顶违法建设，{b}号楼顶层加盖房屋"),
    ("快递柜放在楼门口，快递员乱堆快递", "快递堆在单元门口没人管，挡路", "快递员把包裹堆在楼门前，居民出入不便"),
    ("{b}号楼燃气管道有异味，担心漏气", "{b}号楼楼道里闻到煤气味，怕燃气泄漏", "燃气管有异味，{b}号楼居民担心泄漏"),
    ("小区里的化粪池满溢，臭气熏天", "化粪池冒出来了，院里全是粪水，很臭", "化粪池堵塞外溢，小区内气味难闻"),
    ("{b}号楼一层住户私自开门改商铺", "{b}号楼底层居民破墙开店，改变房屋用途", "一楼住宅改成商铺经营，{b}号楼破墙开门"),
    ("小区内老旧自行车堆放很多年，占地方", "车棚里堆满僵尸自行车，没人清理", "废旧自行车长期堆放，占用公共空间"),
    (
        "{b}号楼对面工地夜间施工，噪音扰民",
        "{b}号楼旁边工地晚上还在施工，吵得睡不着",
        "工地夜里施工不停，{b}号楼居民无法入睡",
    ),
    ("小区里有人遛狗不牵绳，狗粪也不清理", "遛狗不拴绳，草坪上全是狗屎", "养犬人不文明遛狗，粪便随地不清理"),
    ("{b}号楼楼梯扶手松动，老人扶着很危险", "{b}号楼楼梯栏杆晃动，有摔倒风险", "楼梯扶手坏了，{b}号楼老人上下楼不安全"),
    ("小区大门道闸坏了，车辆随便进出", "小区门口的道闸不抬杆，车辆排长队", "门口停车道闸系统故障，进出车辆拥堵"),
    (
        "{b}号楼空调外机滴水，滴到楼下阳台",
        "{b}号楼楼上空调冷凝水一直滴在我家窗台",
        "空调外机漏水滴到下层住户，{b}号楼邻里矛盾",
    ),
)

# Paraphrase rules: words callers and typists swap.
SYNONYMS: tuple[tuple[str, str], ...] = (
    ("坏了", "损坏了"),
    ("噪音", "噪声"),
    ("很危险", "非常危险"),
    ("居民", "住户"),
    ("晚上", "夜间"),
    ("好几天", "多日"),
    ("没人", "无人"),
    ("担心", "害怕"),
    ("影响", "严重影响"),
    ("物业公司", "物业"),
    ("小区", "院内"),
)
OPENINGS = ("", "来电人反映：", "市民来电反映，", "居民反映", "来电称，")
CLOSINGS = ("", "希望尽快解决。", "要求相关部门尽快处理。", "请有关部门协调解决。", "多次反映未解决，希望尽快处理。")


@dataclass(frozen=True)
class Complaint:
    topic: int
    text: str


def paraphrase(phrasing: str, *, building: int, rng: random.Random) -> str:
    text = phrasing.format(b=building)
    for old, new in SYNONYMS:
        if old in text and rng.random() < 0.5:
            text = text.replace(old, new)
    clauses = [c for c in text.replace("。", "，").split("，") if c]
    if len(clauses) > 1 and rng.random() < 0.4:
        clauses.reverse()
    if rng.random() < 0.3 and f"{building}号楼" in clauses[0]:
        clauses[0] = clauses[0].replace(f"{building}号楼", f"{building}号楼{rng.randint(1, 4)}单元")
    sep = rng.choice(("，", "，", "。", " "))
    return rng.choice(OPENINGS) + sep.join(clauses) + "。" + rng.choice(CLOSINGS)


def labelled_pairs(*, seed: int = 14, per_topic: int = 4) -> list[tuple[str, str, bool]]:
    """(earlier text, new text, is a duplicate) at one compound: for each
    topic `per_topic` duplicate pairs (two paraphrases, the same building)
    and as many pairs with another topic (also the same building)."""
    rng = random.Random(seed)
    pairs: list[tuple[str, str, bool]] = []
    for index, phrasings in enumerate(TOPICS):
        for _ in range(per_topic):
            building = rng.randint(1, 30)
            first, second = rng.sample(phrasings, 2) if rng.random() < 0.8 else (phrasings[0], phrasings[0])
            pairs.append(
                (paraphrase(first, building=building, rng=rng), paraphrase(second, building=building, rng=rng), True)
            )
            other = rng.choice([i for i in range(len(TOPICS)) if i != index])
            pairs.append(
                (
                    paraphrase(rng.choice(phrasings), building=building, rng=rng),
                    paraphrase(rng.choice(TOPICS[other]), building=building, rng=rng),
                    False,
                )
            )
    return pairs
