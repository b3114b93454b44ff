import MallVIPCore

/// What a new database starts with: one journey of each kind (switched off until a planner has read its template),
/// zh-CN templates written as the care-message rules say (docs/domain.md §7.1: wishes only; season: weather and health, no new
/// arrivals; miss-you: we miss you, rest well, never ask whether something happened), and the holidays of 2026
/// and 2027.
public enum JourneyDefaults {
    public static let templates: [MessageTemplate] = [
        MessageTemplate(code: "welcome", name: "欢迎新会员", purpose: .service,
                        body: "{name}{title}您好，欢迎成为{store}{tier}会员！当前积分{points}分。有任何需要，请随时找我。{store}{sender}"),
        MessageTemplate(code: "birthday", name: "生日祝福", purpose: .care,
                        body: "亲爱的{name}{title}，生日快乐！愿您新的一岁健康平安、事事顺心。{store}{sender}"),
        MessageTemplate(code: "holiday", name: "节日问候", purpose: .care,
                        body: "{name}{title}：值此{holiday}，祝您和家人安康顺遂、诸事如意。{store}{sender}"),
        MessageTemplate(code: "seasonSpring", name: "换季关怀·春", purpose: .care,
                        body: "{name}{title}：春天到了，早晚温差大，请适时增减衣物，多喝水，早睡早起。{store}{sender}"),
        MessageTemplate(code: "seasonSummer", name: "换季关怀·夏", purpose: .care,
                        body: "{name}{title}：天气渐热，外出请注意防晒补水，饮食清淡，保重身体。{store}{sender}"),
        MessageTemplate(code: "seasonAutumn", name: "换季关怀·秋", purpose: .care,
                        body: "{name}{title}：秋季干燥，请多喝水、注意润燥，早晚记得添衣。{store}{sender}"),
        MessageTemplate(code: "seasonWinter", name: "换季关怀·冬", purpose: .care,
                        body: "{name}{title}：天气转冷，请注意添衣保暖，饮食宜温热，保重身体。{store}{sender}"),
        MessageTemplate(code: "missYou", name: "久未到店问候", purpose: .care,
                        body: "{name}{title}，好久不见，我们很想念您。天气多变，请注意休息，照顾好自己。{store}{sender}"),
        MessageTemplate(code: "pointsExpiring", name: "积分到期提醒", purpose: .service,
                        body: "{name}{title}：您有{expiringPoints}积分将于{expiryDate}到期（当前共{points}分），可到服务台兑换礼品。{store}{sender}"),
        MessageTemplate(code: "couponExpiring", name: "礼券到期提醒", purpose: .service,
                        body: "{name}{title}：您的{couponName}将于{couponExpiry}到期，请在有效期内使用。{store}{sender}"),
        MessageTemplate(code: "tierUpgrade", name: "升级祝贺", purpose: .service,
                        body: "恭喜{name}{title}成为{store}{tier}会员！新等级礼遇即日起生效，感谢您的支持。{store}{sender}"),
        MessageTemplate(code: "tierAtRisk", name: "保级提醒", purpose: .service,
                        body: "{name}{title}：您的{tier}会员资格即将进行年度复核，目前消费尚未达到保级标准，详情请咨询{sender}。{store}{sender}"),
    ]

    /// (kind, zh, en, template, holdout ‰). Miss-you keeps a 10% control group: whether it brings members back is
    /// worth measuring; the others are greetings and notices a member is owed.
    public static let journeys: [Journey] = [
        (JourneyKind.welcome, "欢迎新会员", "Welcome", "welcome", 0),
        (.birthday, "生日祝福", "Birthday wishes", "birthday", 0),
        (.holiday, "节日问候", "Holiday greetings", "holiday", 0),
        (.season, "换季关怀", "Season change", "seasonWinter", 0),
        (.missYou, "久未到店问候", "Miss you", "missYou", 100),
        (.pointsExpiring, "积分到期提醒", "Points expiring", "pointsExpiring", 0),
        (.couponExpiring, "礼券到期提醒", "Coupon expiring", "couponExpiring", 0),
        (.tierUpgrade, "升级祝贺", "Tier upgrade", "tierUpgrade", 0),
        (.tierAtRisk, "保级提醒", "Tier at risk", "tierAtRisk", 0),
    ].map { kind, zh, en, template, holdout in
        Journey(kind: kind, name: LocalizedName(zh: zh, en: en), enabled: false, channel: .sms, templateCode: template,
                holdoutPermille: holdout, params: JourneyParams.defaults(kind))
    }

    /// Lunar dates converted for 2026–2027 (春节 = 正月初一, 元宵 = 正月十五, 端午 = 五月初五, 七夕 = 七月初七,
    /// 中秋 = 八月十五; 清明 is the solar term). 七夕 is off: a lovers' day is not every member's.
    public static let holidays: [(name: String, day: String, active: Bool)] = [
        ("元旦", "2026-01-01", true), ("春节", "2026-02-17", true), ("元宵", "2026-03-03", true), ("清明", "2026-04-05", true),
        ("端午", "2026-06-19", true), ("七夕", "2026-08-19", false), ("中秋", "2026-09-25", true), ("国庆", "2026-10-01", true),
        ("元旦", "2027-01-01", true), ("春节", "2027-02-06", true), ("元宵", "2027-02-20", true), ("清明", "2027-04-05", true),
        ("端午", "2027-06-09", true), ("七夕", "2027-08-08", false), ("中秋", "2027-09-15", true), ("国庆", "2027-10-01", true),
    ]
}
