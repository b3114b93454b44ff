/// The random control group of a campaign or journey, drawn deterministically: the same member, salt and share give
/// the same answer on every run and every machine, so a send that is retried or resumed after a crash puts each
/// member in the same group. The salt (e.g. "campaign:12") makes each campaign draw its own group, so the same
/// members are not held out every time.
public enum Holdout {
    /// Whether the member falls in the control group; `permille` is the control share (100 = 10%).
    public static func isControl(memberId: Int64, salt: String, permille: Int) -> Bool {
        guard permille > 0 else { return false }
        guard permille < 1000 else { return true }
        var rng = SplitMix64(seed: fnv1a(salt), stream: UInt64(bitPattern: memberId))
        return rng.below(1000) < permille
    }

    /// FNV-1a over the UTF-8 bytes: a stable seed from text (Swift's `hashValue` changes between runs).
    static func fnv1a(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }
}
