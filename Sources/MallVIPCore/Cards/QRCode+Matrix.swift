/// The module grid: function patterns first (they are never masked), then the codeword zigzag, then a mask.
extension QRCode {
    struct Matrix {
        let version: Int
        let size: Int
        var dark: [[Bool]]
        var function: [[Bool]]

        init(version: Int) {
            self.version = version
            size = version * 4 + 17
            dark = Array(repeating: Array(repeating: false, count: size), count: size)
            function = dark
        }

        mutating func set(_ x: Int, _ y: Int, _ isDark: Bool) {
            dark[y][x] = isDark
            function[y][x] = true
        }

        mutating func drawFunctionPatterns() {
            for i in 0..<size {
                set(6, i, i % 2 == 0)
                set(i, 6, i % 2 == 0)
            }
            for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
                for dy in -4...4 {
                    for dx in -4...4 {
                        let x = cx + dx, y = cy + dy
                        guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                        let d = max(abs(dx), abs(dy))
                        set(x, y, d != 2 && d != 4)
                    }
                }
            }
            let centres = QRCode.alignmentCentres[version - 1]
            for (i, cx) in centres.enumerated() {
                for (j, cy) in centres.enumerated() {
                    let last = centres.count - 1
                    if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                    for dy in -2...2 {
                        for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) }
                    }
                }
            }
            drawFormatBits(mask: 0)
            drawVersionBits()
        }

        /// Level M (indicator 00) and the mask, BCH(15,5), XOR 0x5412; both copies plus the dark module.
        mutating func drawFormatBits(mask: Int) {
            let data = (0b00 << 3) | mask
            var rem = data
            for _ in 0..<10 { rem = (rem << 1) ^ ((rem >> 9) * 0x537) }
            let bits = ((data << 10) | rem) ^ 0x5412
            func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
            for i in 0...5 { set(8, i, bit(i)) }
            set(8, 7, bit(6))
            set(8, 8, bit(7))
            set(7, 8, bit(8))
            for i in 9..<15 { set(14 - i, 8, bit(i)) }
            for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
            for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
            set(8, size - 8, true)
        }

        /// Versions 7 and up carry their number, BCH(18,6), in two 6×3 blocks.
        mutating func drawVersionBits() {
            guard version >= 7 else { return }
            var rem = version
            for _ in 0..<12 { rem = (rem << 1) ^ ((rem >> 11) * 0x1F25) }
            let bits = (version << 12) | rem
            for i in 0..<18 {
                let b = (bits >> i) & 1 == 1
                let a = size - 11 + i % 3, c = i / 3
                set(a, c, b)
                set(c, a, b)
            }
        }

        /// Two-module columns from the right, alternating up and down, skipping the vertical timing column.
        mutating func drawCodewords(_ words: [UInt8]) {
            var i = 0
            var right = size - 1
            while right >= 1 {
                if right == 6 { right = 5 }
                for vert in 0..<size {
                    for j in 0..<2 {
                        let x = right - j
                        let upward = (right + 1) & 2 == 0
                        let y = upward ? size - 1 - vert : vert
                        if !function[y][x] && i < words.count * 8 {
                            dark[y][x] = (words[i >> 3] >> UInt8(7 - (i & 7))) & 1 == 1
                            i += 1
                        }
                    }
                }
                right -= 2
            }
        }

        static func maskBit(_ mask: Int, x: Int, y: Int) -> Bool {
            switch mask {
            case 0: return (x + y) % 2 == 0
            case 1: return y % 2 == 0
            case 2: return x % 3 == 0
            case 3: return (x + y) % 3 == 0
            case 4: return (x / 3 + y / 2) % 2 == 0
            case 5: return x * y % 2 + x * y % 3 == 0
            case 6: return (x * y % 2 + x * y % 3) % 2 == 0
            default: return ((x + y) % 2 + x * y % 3) % 2 == 0
            }
        }

        func masked(_ mask: Int) -> Matrix {
            var m = self
            for y in 0..<size {
                for x in 0..<size where !function[y][x] && Self.maskBit(mask, x: x, y: y) { m.dark[y][x].toggle() }
            }
            m.drawFormatBits(mask: mask)
            return m
        }

        /// The four penalty rules of ISO/IEC 18004 §7.8.3; the mask with the lowest score is used.
        func penalty() -> Int {
            var score = 0
            let columns = (0..<size).map { x in dark.map { $0[x] } }
            for line in dark + columns {
                var run = 1
                for i in 1...size {
                    if i < size && line[i] == line[i - 1] {
                        run += 1
                    } else {
                        if run >= 5 { score += 3 + run - 5 }
                        run = 1
                    }
                }
                score += 40 * Self.finderLikeCount(line)
            }
            for y in 0..<size - 1 {
                for x in 0..<size - 1 {
                    let c = dark[y][x]
                    if c == dark[y][x + 1] && c == dark[y + 1][x] && c == dark[y + 1][x + 1] { score += 3 }
                }
            }
            let darkCount = dark.reduce(0) { $0 + $1.filter { $0 }.count }
            let total = size * size
            score += 10 * ((abs(darkCount * 20 - total * 10) + total - 1) / total - 1)
            return score
        }

        /// 1:1:3:1:1 dark–light runs with four light modules on one side; the quiet zone counts as light.
        static func finderLikeCount(_ line: [Bool]) -> Int {
            let pattern: [Bool] = [true, false, true, true, true, false, true]
            let light = [Bool](repeating: false, count: 4)
            let padded = light + line + light
            var count = 0
            for i in 0...(padded.count - 11) {
                if Array(padded[i..<i + 7]) == pattern && padded[i + 7..<i + 11].allSatisfy({ !$0 }) { count += 1 }
                if padded[i..<i + 4].allSatisfy({ !$0 }) && Array(padded[i + 4..<i + 11]) == pattern { count += 1 }
            }
            return count
        }
    }
}
