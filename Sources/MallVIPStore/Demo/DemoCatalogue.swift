/// The demo mall's fixed facts: a department store like the Chengdu one (docs/domain.md §15): four sections (课),
/// big shoe and women's-wear counters with a low VIP share (百丽系, 女装拉夏), the highest share in 四课.
enum DemoCatalogue {
    static let mallCode = "CD"
    static let mallName = "成都店"

    struct DepartmentSpec: Sendable {
        var code: String
        var name: String
    }

    static let departments: [DepartmentSpec] = [
        DepartmentSpec(code: "D1", name: "一课"),
        DepartmentSpec(code: "D2", name: "二课"),
        DepartmentSpec(code: "D3", name: "三课"),
        DepartmentSpec(code: "D4", name: "四课"),
    ]

    struct CounterSpec: Sendable {
        var department: Int
        var code: String
        var name: String
        var brand: String
        var category: String
        var floor: String
        var participatesInDiscount: Bool
        var earnsPoints: Bool
        /// Share of the store's sales, in per cent.
        var salesWeight: Double
        /// VIP share of this counter's sales before the store-wide calibration (which rescales all of them so that
        /// the sales-weighted mean is the plan's `vipShare`).
        var vipShare: Double
        /// Typical line amount in yuan.
        var ticketYuan: Double
        /// Lines sold at special prices (特价: points, no tier discount).
        var specialRate: Double
    }

    private static func c(_ d: Int, _ code: String, _ name: String, _ brand: String, _ category: String, _ floor: String,
                          _ w: Double, _ vip: Double, _ ticket: Double, discount: Bool = true, points: Bool = true,
                          special: Double = 0.06) -> CounterSpec {
        CounterSpec(department: d, code: code, name: name, brand: brand, category: category, floor: floor,
                    participatesInDiscount: discount, earnsPoints: points, salesWeight: w, vipShare: vip, ticketYuan: ticket,
                    specialRate: discount ? special : 0)
    }

    /// The seeded till C0001 (综合收银, 一课) is kept and used a little; the rest are created by the demo.
    static let seededCounterCode = "C0001"

    static let counters: [CounterSpec] = [
        // 一课 1F: shoes, cosmetics, jewellery and watches. The 百丽系 shoe counters sell a lot to walk-in customers.
        c(0, "C0001", "综合收银", "综合", "综合", "1F", 0.3, 0.20, 200),
        c(0, "CD101", "百丽女鞋", "百丽 BeLLE", "女鞋", "1F", 5.0, 0.11, 620),
        c(0, "CD102", "天美意女鞋", "天美意 Teenmix", "女鞋", "1F", 3.0, 0.12, 520),
        c(0, "CD103", "他她女鞋", "他她 Tata", "女鞋", "1F", 2.4, 0.12, 560),
        c(0, "CD104", "思加图女鞋", "思加图 Staccato", "女鞋", "1F", 2.0, 0.13, 680),
        c(0, "CD105", "森达鞋业", "森达 Senda", "男鞋", "1F", 1.6, 0.24, 580),
        c(0, "CD106", "雅诗兰黛", "雅诗兰黛 Estée Lauder", "化妆品", "1F", 3.2, 0.24, 680, discount: false),
        c(0, "CD107", "兰蔻", "兰蔻 Lancôme", "化妆品", "1F", 3.0, 0.24, 720, discount: false),
        c(0, "CD108", "欧莱雅", "巴黎欧莱雅 L'Oréal Paris", "化妆品", "1F", 1.6, 0.20, 260),
        c(0, "CD109", "资生堂", "资生堂 Shiseido", "化妆品", "1F", 1.8, 0.25, 480, discount: false),
        c(0, "CD110", "周大福珠宝", "周大福 Chow Tai Fook", "珠宝黄金", "1F", 4.0, 0.30, 3200, discount: false),
        c(0, "CD111", "周生生珠宝", "周生生 Chow Sang Sang", "珠宝黄金", "1F", 2.2, 0.30, 2600, discount: false),
        c(0, "CD112", "天梭表", "天梭 Tissot", "钟表", "1F", 1.6, 0.33, 3600, discount: false),
        // 二课 2F–3F: women's wear and lingerie. 拉夏贝尔 and its sister brand are the big low-share counters.
        c(1, "CD201", "拉夏贝尔女装", "拉夏贝尔 La Chapelle", "女装", "2F", 6.0, 0.12, 420, special: 0.10),
        c(1, "CD202", "普埃拉女装", "普埃拉 Puella", "女装", "2F", 2.2, 0.13, 480, special: 0.10),
        c(1, "CD203", "ONLY", "ONLY", "女装", "2F", 3.0, 0.22, 560, special: 0.08),
        c(1, "CD204", "Vero Moda", "Vero Moda", "女装", "2F", 2.8, 0.22, 520, special: 0.08),
        c(1, "CD205", "歌莉娅", "歌莉娅 Gloria", "女装", "2F", 2.2, 0.28, 650),
        c(1, "CD206", "秋水伊人", "秋水伊人", "女装", "3F", 2.0, 0.30, 600),
        c(1, "CD207", "哥弟", "哥弟 Girdear", "女装", "3F", 2.6, 0.34, 780),
        c(1, "CD208", "艾格", "艾格 Etam", "女装", "2F", 1.8, 0.22, 450, special: 0.08),
        c(1, "CD209", "伊芙丽", "伊芙丽 Eifini", "女装", "3F", 1.8, 0.26, 520),
        c(1, "CD210", "淑女屋", "淑女屋", "女装", "3F", 1.4, 0.30, 560),
        c(1, "CD211", "爱慕内衣", "爱慕 Aimer", "内衣", "3F", 2.4, 0.30, 480),
        c(1, "CD212", "古今内衣", "古今", "内衣", "3F", 1.4, 0.28, 320),
        // 三课 4F: menswear, sportswear, leather goods and luggage.
        c(2, "CD301", "七匹狼", "七匹狼 Septwolves", "男装", "4F", 2.6, 0.34, 820),
        c(2, "CD302", "利郎", "利郎 Lilanz", "男装", "4F", 2.0, 0.32, 760),
        c(2, "CD303", "劲霸男装", "劲霸 K-Boxing", "男装", "4F", 2.2, 0.33, 880),
        c(2, "CD304", "雅戈尔", "雅戈尔 Youngor", "男装", "4F", 2.4, 0.36, 980),
        c(2, "CD305", "报喜鸟", "报喜鸟 Saint Angelo", "男装", "4F", 1.8, 0.38, 1500),
        c(2, "CD306", "耐克", "耐克 Nike", "运动", "4F", 3.2, 0.24, 560, special: 0.08),
        c(2, "CD307", "阿迪达斯", "阿迪达斯 adidas", "运动", "4F", 3.0, 0.24, 540, special: 0.08),
        c(2, "CD308", "李宁", "李宁 Li-Ning", "运动", "4F", 1.6, 0.26, 420, special: 0.08),
        c(2, "CD309", "安踏", "安踏 Anta", "运动", "4F", 1.2, 0.25, 380, special: 0.08),
        c(2, "CD310", "金利来皮具", "金利来 Goldlion", "皮具", "4F", 1.4, 0.34, 680),
        c(2, "CD311", "新秀丽", "新秀丽 Samsonite", "箱包", "4F", 1.0, 0.36, 1600),
        // 四课 5F: children, home textiles, kitchen and small appliances: family shoppers, the highest VIP share.
        c(3, "CD401", "巴拉巴拉童装", "巴拉巴拉 Balabala", "童装", "5F", 2.0, 0.36, 320),
        c(3, "CD402", "安奈儿童装", "安奈儿 Annil", "童装", "5F", 1.4, 0.38, 360),
        c(3, "CD403", "好孩子", "好孩子 Goodbaby", "童车用品", "5F", 1.4, 0.40, 680),
        c(3, "CD404", "罗莱家纺", "罗莱 LUOLAI", "家纺", "5F", 2.6, 0.44, 1500),
        c(3, "CD405", "富安娜家纺", "富安娜 Fuanna", "家纺", "5F", 2.2, 0.44, 1300),
        c(3, "CD406", "梦洁家纺", "梦洁 Mendale", "家纺", "5F", 1.8, 0.42, 1200),
        c(3, "CD407", "双立人厨具", "双立人 Zwilling", "厨具", "5F", 1.4, 0.42, 900),
        c(3, "CD408", "乐扣乐扣", "乐扣乐扣 LocknLock", "家居", "5F", 1.0, 0.36, 220),
        // Tobacco and liquor: no member discount and no points.
        c(3, "CD409", "名烟名酒", "名烟名酒", "烟酒", "5F", 1.6, 0.30, 900, discount: false, points: false),
        c(3, "CD410", "飞利浦小家电", "飞利浦 Philips", "小家电", "5F", 1.0, 0.40, 700),
    ]

    /// Tills by floor: receipts are numbered per till and day.
    static let tillsByFloor: [String: ClosedRange<Int>] = ["1F": 1...4, "2F": 5...7, "3F": 8...10, "4F": 11...13, "5F": 14...16]

    // MARK: people

    /// Common surnames with rough weights (national frequency, a little Sichuan colour).
    static let surnames: [(String, Double)] = [
        ("王", 7.1), ("李", 7.4), ("张", 6.8), ("刘", 5.4), ("陈", 4.5), ("杨", 3.2), ("黄", 2.2), ("赵", 2.0), ("吴", 1.8),
        ("周", 1.7), ("徐", 1.4), ("孙", 1.3), ("马", 1.2), ("朱", 1.2), ("胡", 1.1), ("郭", 1.1), ("何", 1.2), ("高", 1.0),
        ("林", 1.0), ("罗", 1.3), ("郑", 0.8), ("梁", 0.7), ("谢", 0.8), ("宋", 0.6), ("唐", 0.9), ("许", 0.6), ("韩", 0.5),
        ("冯", 0.5), ("邓", 0.8), ("曹", 0.5), ("彭", 0.6), ("曾", 0.6), ("肖", 0.6), ("田", 0.5), ("董", 0.4), ("袁", 0.5),
        ("潘", 0.4), ("于", 0.4), ("蒋", 0.5), ("蔡", 0.4), ("余", 0.5), ("杜", 0.5), ("叶", 0.4), ("程", 0.4), ("苏", 0.4),
        ("魏", 0.4), ("吕", 0.4), ("丁", 0.3), ("任", 0.4), ("沈", 0.3), ("姚", 0.3), ("卢", 0.3), ("姜", 0.3), ("崔", 0.3),
        ("钟", 0.3), ("谭", 0.3), ("陆", 0.3), ("汪", 0.3), ("范", 0.3), ("廖", 0.4), ("石", 0.3), ("贾", 0.2), ("夏", 0.2),
        ("付", 0.3), ("方", 0.2), ("邹", 0.2), ("熊", 0.3), ("秦", 0.2), ("江", 0.2), ("雷", 0.3), ("侯", 0.2), ("龙", 0.2),
        ("黎", 0.2), ("贺", 0.2), ("严", 0.2), ("牟", 0.15), ("冉", 0.1), ("向", 0.15), ("欧阳", 0.08), ("司马", 0.02),
    ]

    static let femaleGiven: [String] = [
        "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "琳", "慧", "倩", "颖", "欣", "悦", "晶", "洁",
        "梅", "兰", "萍", "红", "莉", "瑶", "佳", "怡", "璐", "蕾", "月", "琴", "丹", "蓉", "菲", "露", "薇", "琪", "雯", "婧",
    ]
    static let maleGiven: [String] = [
        "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "宇", "浩",
        "凯", "健", "俊", "帆", "龙", "林", "峰", "毅", "东", "亮", "川", "洋", "锐", "彬", "智", "晨", "志", "建", "国", "成",
    ]
    static let neutralGiven: [String] = ["文", "欣", "宇", "晨", "子", "一", "可", "思", "雨", "安", "嘉", "乐", "清", "若"]

    /// Mainland mobile prefixes (China Mobile, Unicom, Telecom).
    static let phonePrefixes: [String] = [
        "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159", "178", "182", "183", "184",
        "187", "188", "198", "130", "131", "132", "155", "156", "166", "175", "176", "185", "186", "133", "153", "173", "177",
        "180", "181", "189", "199",
    ]

    /// Chengdu districts: resident-ID area code and name.
    static let districts: [(code: String, name: String)] = [
        ("510104", "锦江区"), ("510105", "青羊区"), ("510106", "金牛区"), ("510107", "武侯区"), ("510108", "成华区"),
        ("510112", "龙泉驿区"), ("510116", "双流区"), ("510117", "郫都区"), ("510115", "温江区"), ("510113", "青白江区"),
        ("510114", "新都区"),
    ]
    static let streets: [String] = [
        "春熙路", "人民南路四段", "蜀都大道", "天府大道北段", "红星路三段", "建设路", "一环路东三段", "玉林北路", "芳草街",
        "府河路", "沙湾路", "光华大道", "双楠路", "羊西线", "高升桥路", "科华北路", "二环路西一段", "抚琴西路", "猛追湾街",
        "东大街", "盐市口顺城街", "青年路", "骡马市街", "桐梓林路",
    ]
    static let estates: [String] = ["锦绣花园", "阳光小区", "翡翠城", "清水河畔", "金沙苑", "锦官新城", "棕榈泉", "天府长城", "紫荆小区", ""]

    static let occupations = ["企业职员", "公务员", "教师", "医生", "个体经营", "自由职业", "财务", "销售", "工程师", "退休", "学生", "企业主"]
    static let hobbies = ["瑜伽", "旅游", "美食", "摄影", "读书", "茶艺", "麻将", "健身", "绘画", "音乐", "插花", "跑步"]
    static let services = ["电话预约", "送货上门", "短信通知新品", "专人导购", "周末到店"]
    static let femaleSizes = ["S", "M", "L", "XL", "155/80A", "160/84A", "165/88A"]
    static let maleSizes = ["M", "L", "XL", "XXL", "170/88A", "175/92A", "180/96A"]

    static let honoraryReasons = ["荣誉钻石卡：合作单位负责人", "荣誉钻石卡：商场年度大客户推荐", "荣誉钻石卡：银行联名卡合作方"]

    /// High-end VIP maintainers (维护人) and service-desk clerks, created locked (no one knows their password).
    static let staffNames: [String] = [
        "王丽", "李娜", "张敏", "刘静", "陈燕", "杨婷", "黄雪", "赵琳", "吴慧", "周倩", "徐颖", "孙悦", "马晶", "朱洁",
        "胡梅", "郭兰", "何萍", "高莉",
    ]
}
