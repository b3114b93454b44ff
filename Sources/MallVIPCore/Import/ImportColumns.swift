import Yams

/// What a file imports.
public enum ImportKind: String, Sendable, CaseIterable, Codable {
    case members, purchases, counters

    public var label: LocalizedName {
        switch self {
        case .members: LocalizedName(zh: "会员", en: "Members")
        case .purchases: LocalizedName(zh: "消费记录", en: "Purchases")
        case .counters: LocalizedName(zh: "店柜", en: "Counters")
        }
    }

    /// The fields of this kind, in the order docs/import-export.md lists them.
    public var fields: [ImportField] {
        switch self {
        case .members: [.card, .phone, .name, .gender, .birthday, .idNumber, .email, .address, .enrolledOn, .tier, .points,
                         .consentSms, .notes]
        case .purchases: [.receipt, .date, .time, .card, .phone, .counter, .amount, .special, .points]
        case .counters: [.code, .name, .department, .departmentName, .mall, .brand, .category, .floor, .discount, .earnsPoints]
        }
    }

    public var required: Set<ImportField> {
        switch self {
        case .members: [.name, .phone]
        case .purchases: [.receipt, .date, .counter, .amount]
        case .counters: [.code, .name, .department]
        }
    }

    /// Fields recognised but not imported (the purchase file's points: points are computed by the programme).
    public var informational: Set<ImportField> {
        self == .purchases ? [.points] : []
    }

    /// The header names each field is recognised by (compared after `ImportField.normalizeHeader`).
    public func synonyms(_ field: ImportField) -> [String] {
        switch (self, field) {
        case (_, .card): ["卡号", "会员卡号", "会员卡", "卡号码", "vip卡号", "card", "cardno", "cardnumber", "membercard", "vipcard"]
        case (_, .phone): ["手机", "手机号", "手机号码", "电话", "电话号码", "联系电话", "移动电话", "phone", "mobile", "mobilephone",
                           "tel", "telephone", "cellphone"]
        case (.counters, .name): ["店柜名称", "柜台名称", "专柜名称", "名称", "countername", "name"]
        case (_, .name): ["姓名", "会员姓名", "客户姓名", "名字", "name", "membername", "fullname"]
        case (_, .gender): ["性别", "gender", "sex"]
        case (_, .birthday): ["生日", "出生日期", "出生年月日", "birthday", "birthdate", "dateofbirth", "dob"]
        case (_, .idNumber): ["身份证", "身份证号", "身份证号码", "证件号", "证件号码", "idnumber", "idno", "nationalid"]
        case (_, .email): ["邮箱", "电子邮箱", "电子邮件", "email", "mail"]
        case (_, .address): ["地址", "住址", "联系地址", "家庭住址", "address"]
        case (_, .enrolledOn): ["入会日期", "办卡日期", "开卡日期", "注册日期", "入会时间", "办卡时间", "enrolled", "enrolledon",
                                "joined", "joindate", "enroldate"]
        case (_, .tier): ["等级", "会员等级", "卡级", "卡级别", "卡类型", "卡种", "tier", "level", "cardtype", "grade"]
        case (.counters, .earnsPoints): ["积分", "可积分", "参与积分", "积分商户", "earnspoints", "points"]
        case (_, .points): ["积分", "积分余额", "当前积分", "可用积分", "points", "pointsbalance", "balance"]
        case (_, .consentSms): ["短信", "接收短信", "短信同意", "同意短信", "smsconsent", "consentsms", "sms"]
        case (_, .notes): ["备注", "说明", "notes", "note", "remark", "remarks"]
        case (_, .code): ["店柜", "店柜号", "店柜编码", "店柜代码", "柜号", "柜台", "柜台号", "专柜", "专柜号", "专柜编码", "专柜代码",
                          "counter", "countercode", "code"]
        case (_, .department): ["课", "课别", "课号", "课代码", "课编码", "部门", "部门编码", "部门代码", "department", "dept",
                                "departmentcode", "section"]
        case (_, .departmentName): ["课名称", "课名", "部门名称", "departmentname", "deptname"]
        case (_, .mall): ["商场", "商场代码", "商场编码", "门店", "mall", "mallcode", "store"]
        case (_, .brand): ["品牌", "brand"]
        case (_, .category): ["品类", "类别", "商品类别", "category"]
        case (_, .floor): ["楼层", "floor"]
        case (_, .discount): ["参与折扣", "参加折扣", "折扣", "可打折", "discount", "participatesindiscount", "participates"]
        case (_, .earnsPoints): ["可积分", "earnspoints"]
        case (_, .receipt): ["小票号", "小票", "小票号码", "单号", "单据号", "流水号", "交易号", "销售单号", "receipt", "receiptno",
                             "receiptnumber", "ticket", "ticketno"]
        case (_, .date): ["日期", "交易日期", "销售日期", "消费日期", "交易时间", "销售时间", "消费时间", "date", "datetime",
                          "occurredat", "saledate"]
        case (_, .time): ["时间", "time"]
        case (_, .counter): ["店柜", "店柜号", "店柜编码", "店柜代码", "柜号", "柜台", "柜台号", "专柜", "专柜号", "专柜编码", "专柜代码",
                             "counter", "countercode"]
        case (_, .amount): ["金额", "销售额", "销售金额", "实收", "实收金额", "实付", "实付金额", "消费金额", "交易金额", "amount",
                            "amountyuan", "total", "paid"]
        case (_, .special): ["特价", "特公价", "特价商品", "special", "specialprice"]
        }
    }
}

/// A column an import understands. The raw value is the name used in mapping files and messages.
public enum ImportField: String, Sendable, CaseIterable, Codable {
    case card, phone, name, gender, birthday, idNumber, email, address, enrolledOn, tier, points, consentSms, notes
    case code, department, departmentName, mall, brand, category, floor, discount, earnsPoints
    case receipt, date, time, counter, amount, special

    /// The header as compared: full-width forms folded, lower case, without spaces, `_ - . * #`, and without a
    /// bracketed unit or note (`金额(元)`, `金额（元）`, `Amount [CNY]`).
    public static func normalizeHeader(_ raw: String) -> String {
        var s = ImportCell.normalize(raw).lowercased()
        for (open, close) in [("(", ")"), ("[", "]"), ("【", "】")] {
            while let o = s.range(of: open), let c = s.range(of: close, range: o.upperBound..<s.endIndex) {
                s.removeSubrange(o.lowerBound..<c.upperBound)
            }
        }
        return String(s.filter { !" _-.*#:：\t".contains($0) })
    }
}

/// A mapping file: which header holds which field, and headers to leave out. Either `field=header` lines (`#`
/// comments; `ignore=备注,收银员`) or YAML (`card: 会员卡号`, `ignore: [备注]`).
public struct ImportMapping: Sendable, Equatable {
    public var headers: [ImportField: String] = [:]
    public var ignore: [String] = []

    public init(headers: [ImportField: String] = [:], ignore: [String] = []) {
        self.headers = headers
        self.ignore = ignore
    }

    public static func parse(_ text: String) throws -> ImportMapping {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        var pairs: [(String, [String])] = []
        if lines.allSatisfy({ $0.contains("=") }) {
            for line in lines {
                let kv = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard kv.count == 2 else { throw invalid("“\(line)”", "“\(line)”") }
                pairs.append((kv[0], kv[0] == "ignore" ? kv[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : [kv[1]]))
            }
        } else {
            let node: Any?
            do { node = try Yams.load(yaml: text) } catch { throw invalid("不是有效的 YAML 或 field=header 行", "neither YAML nor field=header lines") }
            guard let map = node as? [String: Any] else { throw invalid("应为 字段: 表头 的映射", "expected a mapping of field: header") }
            for (k, v) in map {
                if let list = v as? [Any] { pairs.append((k, list.map { "\($0)" })) } else { pairs.append((k, ["\(v)"])) }
            }
        }
        var m = ImportMapping()
        for (key, values) in pairs {
            if key == "ignore" { m.ignore += values; continue }
            guard let field = ImportField(rawValue: key) else {
                throw invalid("未知字段 \(key)（可用：\(ImportField.allCases.map(\.rawValue).joined(separator: ", "))）",
                              "unknown field \(key) (known: \(ImportField.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard values.count == 1 else { throw invalid("\(key) 只能对应一列", "\(key) must name one column") }
            m.headers[field] = values[0]
        }
        return m
    }

    static func invalid(_ zh: String, _ en: String) -> DomainError {
        DomainError.invalid("mapping", "import.mapping", zh: "映射文件有误：\(zh)", en: "mapping file: \(en)")
    }
}

/// Which column holds which field, decided from the header row (and a mapping file).
public struct ImportColumns: Sendable {
    public let kind: ImportKind
    public let headers: [String]
    public let index: [ImportField: Int]
    /// Headers left out: by the mapping's `ignore`, empty header cells, and informational fields.
    public let ignored: [String]

    /// Resolves the header row. Refuses the file, naming them, when required fields are missing, when a header is
    /// not understood, or when two columns claim one field.
    public static func resolve(kind: ImportKind, header: [String], mapping: ImportMapping = ImportMapping()) throws -> ImportColumns {
        let headers = header.map { ImportCell.normalize($0) }
        var index: [ImportField: Int] = [:]
        var ignored: [String] = []
        var unknown: [String] = []
        var claimed: [ImportField: [String]] = [:]
        let fields = kind.fields
        for (field, name) in mapping.headers {
            guard fields.contains(field) else {
                throw ImportMapping.invalid("\(kind.label.zh)文件没有字段 \(field.rawValue)", "\(kind.rawValue) files have no field \(field.rawValue)")
            }
            guard headers.contains(ImportCell.normalize(name)) else {
                throw DomainError.invalid("mapping", "import.mapping.header",
                    zh: "映射文件指定的列“\(name)”（\(field.rawValue)）在文件表头中不存在",
                    en: "the mapping names column “\(name)” (\(field.rawValue)), which the file's header does not have")
            }
        }
        let ignoreSet = Set(mapping.ignore.map { ImportCell.normalize($0) })
        for (i, h) in headers.enumerated() {
            if let field = mapping.headers.first(where: { ImportCell.normalize($0.value) == h })?.key {
                claimed[field, default: []].append(h)
                index[field] = index[field] ?? i
                continue
            }
            if h.isEmpty || ignoreSet.contains(h) { ignored.append(h.isEmpty ? "#\(i + 1)" : h); continue }
            let key = ImportField.normalizeHeader(h)
            guard let field = fields.first(where: { f in mapping.headers[f] == nil && kind.synonyms(f).contains(key) }) else {
                unknown.append(h)
                continue
            }
            claimed[field, default: []].append(h)
            if kind.informational.contains(field) { ignored.append(h); continue }
            index[field] = index[field] ?? i
        }
        if let (field, names) = claimed.first(where: { $0.value.count > 1 }) {
            throw DomainError.invalid("header", "import.header.duplicate",
                zh: "多列对应同一字段 \(field.rawValue)：\(names.joined(separator: "、"))（请用映射文件指定其一，其余 ignore）",
                en: "several columns mean \(field.rawValue): \(names.joined(separator: ", ")) (name one in a mapping file and ignore the others)")
        }
        let missing = kind.fields.filter { kind.required.contains($0) && index[$0] == nil }
        if !missing.isEmpty || !unknown.isEmpty {
            var zh: [String] = [], en: [String] = []
            if !missing.isEmpty {
                zh.append("缺少必需的列：" + missing.map { "\($0.rawValue)（如 \(kind.synonyms($0).prefix(3).joined(separator: "/"))）" }.joined(separator: "、"))
                en.append("required columns missing: " + missing.map { "\($0.rawValue) (e.g. \(kind.synonyms($0).prefix(3).joined(separator: "/")))" }.joined(separator: ", "))
            }
            if !unknown.isEmpty {
                zh.append("无法识别的列：" + unknown.joined(separator: "、") + "（用映射文件指定字段，或 ignore= 忽略）")
                en.append("columns not understood: " + unknown.joined(separator: ", ") + " (map them in a mapping file, or ignore them with ignore=)")
            }
            throw DomainError.invalid("header", missing.isEmpty ? "import.header.unknown" : "import.header.missing",
                                      zh: zh.joined(separator: "；"), en: en.joined(separator: "; "))
        }
        return ImportColumns(kind: kind, headers: headers, index: index, ignored: ignored)
    }

    /// The header text of a field's column (for rejects), or the field's name when the file has no such column.
    public func header(_ field: ImportField) -> String {
        index[field].map { headers[$0] } ?? field.rawValue
    }
}
