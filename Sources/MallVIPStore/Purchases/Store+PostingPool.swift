import FluentKit
import Foundation

extension Store {
    /// This store with the purchase lanes' own PostgreSQL pool (configure.swift; `StoreLocation.registerPostingPool`:
    /// connections with generic plans for the two prepared posting statements). Nil: the lanes use the main pool.
    public func attachingPostingPool(_ posting: (any Database)?) -> Store {
        var s = self
        s.postingDB = posting
        return s
    }
}
