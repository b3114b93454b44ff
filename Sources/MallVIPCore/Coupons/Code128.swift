/// Code 128, code set B (ISO/IEC 15417): every printable ASCII character, which covers coupon codes, and is read by
/// every till scanner. Pure: gives element widths; the console draws them.
public enum Code128 {
    /// Element widths in modules, bar first, for symbol values 0...106; 106 (stop) has a seventh element.
    static let patterns: [String] = [
        "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
        "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
        "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
        "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
        "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
        "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
        "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
        "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
        "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
        "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
        "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
    ]
    public static let startB = 104
    public static let stop = 106
    /// Blank modules each side that scanners need.
    public static let quietZone = 10

    /// Start B, one value per character, the checksum and stop. nil when a character is outside ASCII 32...127.
    public static func symbols(_ text: String) -> [Int]? {
        var values = [startB]
        for scalar in text.unicodeScalars {
            guard (32...127).contains(scalar.value) else { return nil }
            values.append(Int(scalar.value) - 32)
        }
        values.append(checksum(values))
        values.append(stop)
        return values
    }

    /// Start value plus each data value weighted by its position, modulo 103.
    public static func checksum(_ startAndData: [Int]) -> Int {
        var sum = startAndData.first ?? 0
        for (i, v) in startAndData.dropFirst().enumerated() { sum += (i + 1) * v }
        return sum % 103
    }

    /// Alternating bar and space widths in modules, starting and ending with a bar (quiet zones not included).
    public static func widths(_ text: String) -> [Int]? {
        symbols(text).map { $0.flatMap { patterns[$0].map { Int(String($0))! } } }
    }

    /// The symbol as modules, "1" a bar and "0" a space.
    public static func modules(_ text: String) -> String? {
        widths(text).map { widths in
            widths.enumerated().map { String(repeating: $0.offset % 2 == 0 ? "1" : "0", count: $0.element) }.joined()
        }
    }
}
