import SQLKit

extension MallScope {
    /// " AND (the row names no member, or its member belongs to one of the malls)" for lists whose rows may name no
    /// member (coupons, complaints, tasks, issue 17): a bearer coupon, a complaint without a member or a team task stays
    /// in every mall's list, a member's row only in the lists of that member's malls. Empty when the scope does not
    /// narrow members. `idColumn` holds the row's member id; `joinedAlias`, when given, is a members table already
    /// LEFT JOINed on it (its enrolment mall is read directly instead of through a sub-select).
    public func membersOrNone(idColumn: String, joinedAlias: String? = nil) -> SQLQueryString {
        let condition = joinedAlias.map { memberCondition($0) } ?? memberCondition(idColumn: idColumn)
        guard let condition else { return "" }
        return " AND (\(unsafeRaw: idColumn) IS NULL OR \(condition))"
    }
}
