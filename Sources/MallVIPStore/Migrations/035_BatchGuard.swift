import FluentKit
import SQLKit

/// PostgreSQL live posting in two round trips (issue 15; Store+PostgresBatch.swift): a batch reads everything the
/// decision needs in one statement without locks, Core decides, and one statement writes it all, atomic on its own.
/// That write guards what the read saw (each member row's version, each mall-day count) and must fail as a whole when a
/// guard does not hold; this function makes it fail with SQLSTATE 40001 (serialization_failure), which the store
/// already treats as "retry from the read" (`SQLStoreDialect.isSerializationFailure`). Nothing on SQLite, whose one
/// writer never reads stale state.
struct M035_BatchGuard: AsyncMigration {
    var name: String { "035_BatchGuard" }

    func prepare(on db: any Database) async throws {
        guard db.isPostgres else { return }
        try await db.sql.raw("""
            CREATE OR REPLACE FUNCTION mallvip_expect_rows(actual BIGINT, expected BIGINT) RETURNS BIGINT
            LANGUAGE plpgsql AS $$
            BEGIN
              IF actual IS DISTINCT FROM expected THEN
                RAISE EXCEPTION 'mallvip: the batch read is stale (% of % guarded rows unchanged), retry', actual, expected
                  USING ERRCODE = '40001';
              END IF;
              RETURN actual;
            END $$
            """).run()
    }

    func revert(on db: any Database) async throws {
        guard db.isPostgres else { return }
        try await db.sql.raw("DROP FUNCTION IF EXISTS mallvip_expect_rows(BIGINT, BIGINT)").run()
    }
}
