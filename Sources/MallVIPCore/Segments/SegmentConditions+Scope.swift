/// A segment as one account manager may read it (issue 14): only the members they look after. The segment's own
/// account-manager condition is intersected with "managed by `staffId`", so an account manager reading a planner's
/// segment sees their own members in it and nobody else's.
extension SegmentConditions {
    /// The conditions narrowed to `staffId`'s members, or nil when no member can match (the segment asks for other
    /// account managers' members, or for members without one).
    public func scoped(toManager staffId: Int64) -> SegmentConditions? {
        var c = self
        if let own = accountManagers, !own.isEmpty, !own.contains(.staff(staffId)) { return nil }
        c.accountManagers = [.staff(staffId)]
        return c
    }
}
