import Testing
@testable import MallVIPCore

@Suite struct EventReportTests {
    @Test func countsInvitedAcceptedAttendedNoShowAndWalkIns() {
        let outcomes: [EventOutcome] = [
            .init(memberId: 1, accepted: true, attended: true, walkIn: false, followUpSpendFen: 300_000),
            .init(memberId: 2, accepted: true, attended: true, walkIn: false, followUpSpendFen: 100_000),
            .init(memberId: 3, accepted: true, attended: false, walkIn: false, followUpSpendFen: 50_000),
            .init(memberId: 4, accepted: false, attended: false, walkIn: false, followUpSpendFen: 10_000),
            .init(memberId: 5, accepted: false, attended: false, walkIn: false),
            .init(memberId: 6, accepted: false, attended: true, walkIn: true, followUpSpendFen: 200_000),
            .init(memberId: nil, accepted: false, attended: true, walkIn: true),
        ]
        let r = EventReport(outcomes: outcomes, budgetFen: 2_000_000)
        #expect(r.invited == 5)
        #expect(r.accepted == 3)
        #expect(r.attended == 4)
        #expect(r.noShow == 1)
        #expect(r.walkIns == 2)
        #expect(r.attendeeMembers == 3)
        #expect(r.attendeeSpendFen == 600_000)
        #expect(r.attendeeAverageFen == 200_000)
        #expect(r.absentMembers == 3)
        #expect(r.absentSpendFen == 60_000)
        #expect(r.absentAverageFen == 20_000)
        #expect(r.upliftPerMemberFen == 180_000)
        #expect(r.costPerAttendeeFen == 500_000)
    }

    @Test func attendingWithoutAnsweringCountsAsAccepted() {
        let r = EventReport(outcomes: [.init(memberId: 1, accepted: false, attended: true, walkIn: false)], budgetFen: 0)
        #expect(r.accepted == 1)
        #expect(r.noShow == 0)
    }

    @Test func nobodyCameGivesNoAverages() {
        let r = EventReport(outcomes: [.init(memberId: 1, accepted: true, attended: false, walkIn: false)],
                            budgetFen: 1_000_000)
        #expect(r.attended == 0)
        #expect(r.costPerAttendeeFen == nil)
        #expect(r.attendeeAverageFen == nil)
        #expect(r.upliftPerMemberFen == nil)
        #expect(r.noShow == 1)
    }

    @Test func averagesRoundHalfAwayFromZero() {
        #expect(EventReport.average(10, 3) == 3)
        #expect(EventReport.average(11, 2) == 6)
        #expect(EventReport.average(-11, 2) == -6)
        #expect(EventReport.average(2_000_000, 3) == 666_667)
    }
}

@Suite struct CheckInInputTests {
    @Test func scannedInvitationURLGivesItsToken() {
        let i = CheckInInput(" https://vip.example.com/e/AbC123xyz?utm=qr \n")
        #expect(i?.text == "AbC123xyz")
        #expect(i?.fromLink == true)
    }

    @Test func cardOrPhoneIsTrimmedOfSpacesAndDashes() {
        #expect(CheckInInput("139 8765-4321")?.text == "13987654321")
        #expect(CheckInInput("139 8765-4321")?.fromLink == false)
    }

    @Test func emptyInputIsNothing() {
        #expect(CheckInInput("   ") == nil)
        #expect(CheckInInput("https://x/e/") == nil)
    }
}
