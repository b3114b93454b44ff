import Foundation

/// One purchase line of a purchases file. Lines with the same receipt number make one receipt.
public struct PurchaseImportRow: Sendable, Equatable {
    public var line: Int
    public var receiptNo: String
    /// Epoch milliseconds; a date without a time is midnight of that business day.
    public var occurredAtMs: Int64
    public var card: String?
    public var phone: String?
    public var counter: String
    public var amountFen: Int64
    public var specialPrice: Bool
}

public struct MemberImportRow: Sendable, Equatable {
    public var line: Int
    public var card: String?
    public var phone: String
    public var name: String
    public var gender: Gender
    public var birthday: LocalDate?
    public var idNumber: String?
    public var email: String?
    public var address: String?
    public var enrolledOn: LocalDate?
    /// A tier code of the programme.
    public var tier: String?
    /// The opening points balance.
    public var points: Int64
    public var consentSMS: Bool
    public var notes: String?
}

public struct CounterImportRow: Sendable, Equatable {
    public var line: Int
    public var code: String
    public var name: String
    public var department: String
    public var departmentName: String?
    public var mall: String?
    public var brand: String
    public var category: String
    public var floor: String
    public var participatesInDiscount: Bool
    public var earnsPoints: Bool
}

/// A row parsed, or what is wrong with it (each problem with its column).
public enum ImportRowResult<Row: Sendable>: Sendable {
    case row(Row)
    case rejected([ImportReject])
}

/// Reads the cells of one record by field and collects what is wrong with them, each with its column.
public struct ImportRowReader {
    public let columns: ImportColumns
    public let record: CSVRecord
    public private(set) var rejects: [ImportReject] = []

    public init(columns: ImportColumns, record: CSVRecord) {
        self.columns = columns
        self.record = record
        if record.fields.count > columns.headers.count, record.fields[columns.headers.count...].contains(where: { !$0.isEmpty }) {
            rejects.append(ImportReject(line: record.line, column: "", rule: "csv.cells",
                zh: "该行有 \(record.fields.count) 个单元格，表头只有 \(columns.headers.count) 列（可能有未加引号的逗号）",
                en: "the line has \(record.fields.count) cells but the header \(columns.headers.count) (an unquoted comma?)"))
        }
    }

    /// The cell as written ("" when the file has no such column or the line is short).
    public func raw(_ f: ImportField) -> String {
        guard let i = columns.index[f], i < record.fields.count else { return "" }
        return record.fields[i]
    }

    /// The cell normalised (full-width folded, trimmed); nil when empty.
    public func text(_ f: ImportField) -> String? {
        let s = ImportCell.normalize(raw(f))
        return s.isEmpty ? nil : s
    }

    public mutating func reject(_ f: ImportField, _ rule: String, zh: String, en: String) {
        rejects.append(ImportReject(line: record.line, column: columns.header(f), rule: rule, zh: zh, en: en, value: raw(f)))
    }

    public mutating func reject(_ f: ImportField, _ e: DomainError) {
        rejects.append(ImportReject(line: record.line, column: columns.header(f), e, value: raw(f)))
    }

    mutating func required(_ f: ImportField) -> String? {
        guard let s = text(f) else {
            reject(f, "\(f.rawValue).required", zh: "\(columns.header(f)) 不能为空", en: "\(columns.header(f)) is required")
            return nil
        }
        return s
    }

    /// A receipt, card or counter reference: printable ASCII without spaces, at most 64 characters.
    mutating func reference(_ f: ImportField, required: Bool) -> String? {
        guard let s = required ? self.required(f) : text(f) else { return nil }
        if ImportCell.isScientific(s) {
            reject(f, "excel.scientific", zh: "\(s) 是 Excel 的科学计数法，原号码已丢失：请把该列设为文本后重新导出",
                   en: "\(s) is Excel's scientific notation and the number is lost: format the column as text and export again")
            return nil
        }
        // Printable ASCII without spaces or `|`, at most 64: what `Validate.reference` accepts, checked byte by byte
        // (it walks Characters); anything else goes to it for the verdict and the message.
        let u = s.utf8
        if u.count <= 64 && !u.isEmpty && u.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x7C }) { return s }
        do { try Validate.reference(s, field: columns.header(f)) } catch let e as DomainError { reject(f, e); return nil } catch { return nil }
        return s
    }

    mutating func date(_ f: ImportField, required: Bool) -> ImportCell.DateTime? {
        guard let s = required ? self.required(f) : text(f) else { return nil }
        switch ImportCell.parseDate(s) {
        case .success(let d): return d
        case .failure(.excelSerial):
            reject(f, "date.excelSerial", zh: "\(s) 是 Excel 的日期序号：请把该列设为日期格式后重新导出",
                   en: "\(s) is an Excel date serial number: format the column as a date and export again")
        case .failure(.impossible):
            reject(f, "date.invalid", zh: "不存在的日期或时间：\(s)", en: "no such date or time: \(s)")
        case .failure(.format):
            reject(f, "date.format", zh: "日期格式无法识别：\(s)（可用 \(ImportCell.dateFormats)）",
                   en: "date not understood: \(s) (use \(ImportCell.dateFormats))")
        }
        return nil
    }

    mutating func flag(_ f: ImportField, default value: Bool) -> Bool {
        guard let s = text(f) else { return value }
        guard let b = ImportCell.flag(s) else {
            reject(f, "flag.format", zh: "应为 是/否：\(s)", en: "expected yes/no (是/否, Y/N, 1/0): \(s)")
            return value
        }
        return b
    }

    mutating func phone(required: Bool) -> String? {
        guard let s = required ? self.required(.phone) : text(.phone) else { return nil }
        guard let p = ImportCell.phone(s) else {
            reject(.phone, "phone.format", zh: "不是有效的手机号（11位，可带 +86、空格、横线）：\(s)",
                   en: "not a mainland mobile number (11 digits; +86, spaces and dashes allowed): \(s)")
            return nil
        }
        return p
    }

    mutating func limited(_ f: ImportField, max: Int) -> String? {
        guard let s = text(f) else { return nil }
        guard s.count <= max else {
            reject(f, "\(f.rawValue).length", zh: "\(columns.header(f)) 最多 \(max) 个字", en: "\(columns.header(f)) must be at most \(max) characters")
            return nil
        }
        return s
    }
}

/// Purchase lines: each cell checked, the time made an instant in the programme's zone.
public struct PurchaseRowParser {
    public let columns: ImportColumns
    let timeZone: TimeZone
    let latestMs: Int64
    let maxFutureSeconds: Int
    private var dayStartMs: [Int: Int64] = [:]

    /// `now`: a purchase later than now plus the programme's `maxFutureSeconds` is refused, as at the till (the
    /// back-dating limit of live tills does not apply to imports).
    public init(columns: ImportColumns, timeZone: TimeZone, now: Date, policy: PurchasePolicy) {
        self.columns = columns
        self.timeZone = timeZone
        self.maxFutureSeconds = policy.maxFutureSeconds
        self.latestMs = Int64((now.timeIntervalSince1970 * 1000).rounded()) + Int64(policy.maxFutureSeconds) * 1000
    }

    public mutating func parse(_ record: CSVRecord) -> ImportRowResult<PurchaseImportRow> {
        var r = ImportRowReader(columns: columns, record: record)
        let receipt = r.reference(.receipt, required: true)
        let counter = r.reference(.counter, required: true)
        let card = r.reference(.card, required: false)
        let phone = r.phone(required: false)
        var when = r.date(.date, required: true)
        if let t = r.text(.time) {
            if let seconds = ImportCell.parseTime(t) {
                if let s = when?.seconds, s != seconds {
                    r.reject(.time, "time.conflict", zh: "日期列已含时间，与时间列不一致：\(t)", en: "the date already has a time, and it differs from \(t)")
                } else {
                    when?.seconds = seconds
                }
            } else {
                r.reject(.time, "time.format", zh: "时间格式应为 HH:mm 或 HH:mm:ss：\(t)", en: "time must be HH:mm or HH:mm:ss: \(t)")
            }
        }
        var amount: Int64?
        if let s = r.required(.amount) {
            switch ImportCell.parseAmount(s) {
            case .success(let fen):
                do {
                    try Validate.amount(fen, field: columns.header(.amount))
                    amount = fen
                } catch let e as DomainError { r.reject(.amount, e) } catch {}
            case .failure(.negative):
                r.reject(.amount, "amount.negative", zh: "负数金额（退货）不导入：请通过退货接口登记退货",
                         en: "negative amounts (returns) are not imported: post refunds through the refund API")
            case .failure(.fraction):
                r.reject(.amount, "amount.fen", zh: "金额最多两位小数（精确到分）：\(s)", en: "amounts have at most two decimals (whole fen): \(s)")
            case .failure(.scientific):
                r.reject(.amount, "excel.scientific", zh: "金额是科学计数法：\(s)", en: "the amount is in scientific notation: \(s)")
            case .failure(.tooLarge):
                r.reject(.amount, "amount.max", zh: "金额超出上限：\(s)", en: "the amount is too large: \(s)")
            case .failure:
                r.reject(.amount, "amount.format", zh: "金额格式无法识别：\(s)（如 1234.50、¥1,234.50、1234元）",
                         en: "amount not understood: \(s) (e.g. 1234.50, ¥1,234.50, 1234元)")
            }
        }
        let special = r.flag(.special, default: false)
        var at: Int64?
        if let when {
            at = startMs(when.date) + Int64(when.seconds ?? 0) * 1000
            if at! > latestMs {
                r.reject(.date, "occurredAt.future", zh: "交易时间晚于当前时间超过 \(maxFutureSeconds) 秒",
                         en: "the purchase is more than \(maxFutureSeconds) seconds in the future")
            }
        }
        guard r.rejects.isEmpty, let receipt, let counter, let amount, let at else { return .rejected(r.rejects) }
        return .row(PurchaseImportRow(line: record.line, receiptNo: receipt, occurredAtMs: at, card: card, phone: phone,
                                          counter: counter, amountFen: amount, specialPrice: special))
    }

    private mutating func startMs(_ d: LocalDate) -> Int64 {
        if let ms = dayStartMs[d.dayNumber] { return ms }
        let ms = Int64((d.start(in: timeZone).timeIntervalSince1970 * 1000).rounded())
        dayStartMs[d.dayNumber] = ms
        return ms
    }
}

/// Member rows. The tier may be given by code or by name (金卡, Gold).
public struct MemberRowParser {
    public let columns: ImportColumns
    let programme: Programme
    let today: LocalDate

    public init(columns: ImportColumns, programme: Programme, today: LocalDate) {
        self.columns = columns
        self.programme = programme
        self.today = today
    }

    public func parse(_ record: CSVRecord) -> ImportRowResult<MemberImportRow> {
        var r = ImportRowReader(columns: columns, record: record)
        let card = r.reference(.card, required: false)
        let phone = r.phone(required: true)
        let name = r.required(.name)
        if let name, name.count > 50 {
            r.reject(.name, "name.required", zh: "姓名最多50字", en: "name must be at most 50 characters")
        }
        var gender = Gender.unknown
        if let g = r.text(.gender) {
            if let parsed = ImportCell.gender(g) { gender = parsed } else {
                r.reject(.gender, "gender.format", zh: "性别应为 男/女（或 M/F）：\(g)", en: "gender must be 男/女 or M/F: \(g)")
            }
        }
        let birthday = r.date(.birthday, required: false)?.date
        if let birthday, birthday > today {
            r.reject(.birthday, "birthday.past", zh: "生日不能晚于今天", en: "birthday must not be in the future")
        }
        let id = r.text(.idNumber)?.uppercased()
        if let id, !Identity.isValidNationalID(id) {
            r.reject(.idNumber, "idNumber.format", zh: "身份证号码无效", en: "not a valid 18-character national ID number")
        }
        let email = r.text(.email)
        if let email, !(email.contains("@") && email.count <= 254) {
            r.reject(.email, "email.format", zh: "邮箱格式不正确", en: "email is not a valid address")
        }
        let address = r.limited(.address, max: 200)
        let enrolled = r.date(.enrolledOn, required: false)?.date
        if let enrolled, enrolled > today {
            r.reject(.enrolledOn, "enrolledOn.past", zh: "入会日期不能晚于今天", en: "the enrolment date must not be in the future")
        }
        var tier: String?
        if let t = r.text(.tier) {
            let key = t.lowercased()
            if let def = programme.tiers.first(where: { $0.code.lowercased() == key || $0.name.zh == t || $0.name.en.lowercased() == key }) {
                tier = def.code
            } else {
                let known = programme.tiers.map { "\($0.name.zh)/\($0.code)" }.joined(separator: "、")
                r.reject(.tier, "tier.exists", zh: "未知等级：\(t)（可用：\(known)）", en: "unknown tier \(t) (known: \(known))")
            }
        }
        var points: Int64 = 0
        if let p = r.text(.points) {
            if let n = ImportCell.parseInteger(p), n >= 0 { points = n } else {
                r.reject(.points, "points.opening", zh: "积分应为不小于0的整数：\(p)", en: "points must be a whole number, 0 or more: \(p)")
            }
        }
        let consent = r.flag(.consentSms, default: false)
        let notes = r.limited(.notes, max: 500)
        guard r.rejects.isEmpty, let phone, let name else { return .rejected(r.rejects) }
        return .row(MemberImportRow(line: record.line, card: card, phone: phone, name: name, gender: gender, birthday: birthday,
                                        idNumber: id, email: email, address: address, enrolledOn: enrolled, tier: tier, points: points,
                                        consentSMS: consent, notes: notes))
    }
}

public struct CounterRowParser {
    public let columns: ImportColumns

    public init(columns: ImportColumns) { self.columns = columns }

    public func parse(_ record: CSVRecord) -> ImportRowResult<CounterImportRow> {
        var r = ImportRowReader(columns: columns, record: record)
        func code(_ f: ImportField, required: Bool) -> String? {
            guard let s = required ? r.required(f) : r.text(f) else { return nil }
            do { try OrganisationCode.check(s, field: columns.header(f)) } catch let e as DomainError { r.reject(f, e); return nil } catch {}
            return s
        }
        let counter = code(.code, required: true)
        let department = code(.department, required: true)
        let mall = code(.mall, required: false)
        let name = r.required(.name)
        if let name, name.count > 100 {
            r.reject(.name, "name.length", zh: "名称最多100字", en: "the name must be at most 100 characters")
        }
        let departmentName = r.limited(.departmentName, max: 100)
        let brand = r.limited(.brand, max: 100) ?? ""
        let category = r.limited(.category, max: 100) ?? ""
        let floor = r.limited(.floor, max: 20) ?? ""
        let discount = r.flag(.discount, default: true)
        let earns = r.flag(.earnsPoints, default: true)
        guard r.rejects.isEmpty, let counter, let department, let name else { return .rejected(r.rejects) }
        return .row(CounterImportRow(line: record.line, code: counter, name: name, department: department, departmentName: departmentName,
                                         mall: mall, brand: brand, category: category, floor: floor, participatesInDiscount: discount,
                                         earnsPoints: earns))
    }
}

/// Codes of malls, departments and counters: 1–32 letters, digits, `-` or `_`.
public enum OrganisationCode {
    public static func check(_ code: String, field: String) throws {
        guard !code.isEmpty, code.count <= 32, code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw DomainError.invalid(field, "code.format", zh: "代码只能包含字母、数字、- 或 _（最多32位）",
                                      en: "\(field) must be 1–32 letters, digits, - or _")
        }
    }
}
