/// Tenant co-funding (issue 20, docs/finance.md "Tenant co-funding"): the share of the points cost a counter or partner
/// funds. Points earned on a counter's sales cost the mall their redemption value; a concession counter (联营专柜)
/// pays back its share of that cost, and is paid for the gifts it supplies to redemptions (`CoFunding.statement`).
///
/// ```yaml
/// coFunding:
///   defaultSharePermille: 500      # every counter funds half of its points' cost …
///   counters: { C-LV: 1000 }       # … except these (by counter code)
///   partners: { P-KTV: 300 }       # partners (by partner code)
/// ```
/// Points are valued as the points liability values them (`finance.valuePerThousandPoints`, else
/// `redemption.valuePerThousandPoints`) and rounded as `finance.rounding` says: one value of a point for finance.
public struct CoFundingPolicy: Codable, Sendable, Equatable {
    /// Share of the points cost every counter (and partner) funds unless overridden, per mille (0–1000, default 0:
    /// the mall bears the whole cost).
    public var defaultSharePermille: Int
    /// Overrides per counter code, per mille.
    public var counters: [String: Int]
    /// Overrides per partner code, per mille.
    public var partners: [String: Int]

    public init(defaultSharePermille: Int = 0, counters: [String: Int] = [:], partners: [String: Int] = [:]) {
        self.defaultSharePermille = defaultSharePermille
        self.counters = counters
        self.partners = partners
    }

    enum CodingKeys: String, CodingKey { case defaultSharePermille, counters, partners }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = CoFundingPolicy()
        defaultSharePermille = try c.decodeIfPresent(Int.self, forKey: .defaultSharePermille) ?? d.defaultSharePermille
        counters = try c.decodeIfPresent([String: Int].self, forKey: .counters) ?? d.counters
        partners = try c.decodeIfPresent([String: Int].self, forKey: .partners) ?? d.partners
    }

    /// The share counter `code` funds: its override, else the default.
    public func share(counter code: String) -> Int { counters[code] ?? defaultSharePermille }
    /// The share partner `code` funds: its override, else the default.
    public func share(partner code: String) -> Int { partners[code] ?? defaultSharePermille }

    /// Override codes that name no counter / partner in `counterCodes` / `partnerCodes` (the store knows them; the
    /// statement page lists these so a typo is seen, since the programme alone cannot tell).
    public func unknownCodes(counterCodes: Set<String>, partnerCodes: Set<String>) -> (counters: [String], partners: [String]) {
        (counters.keys.filter { !counterCodes.contains($0) }.sorted(), partners.keys.filter { !partnerCodes.contains($0) }.sorted())
    }

    public func validationErrors(path: String) -> [(String, String)] {
        var out: [(String, String)] = []
        if !(0...1000).contains(defaultSharePermille) {
            out.append(("\(path).defaultSharePermille", "must be between 0 and 1000 (per mille)"))
        }
        for (kind, map) in [("counters", counters), ("partners", partners)] {
            for (code, share) in map.sorted(by: { $0.key < $1.key }) {
                if (try? OrganisationCode.check(code, field: code)) == nil {
                    out.append(("\(path).\(kind).\(code)", "must be a \(kind == "counters" ? "counter" : "partner") code: 1–32 letters, digits, - or _"))
                }
                if !(0...1000).contains(share) { out.append(("\(path).\(kind).\(code)", "must be between 0 and 1000 (per mille)")) }
            }
        }
        return out
    }
}
