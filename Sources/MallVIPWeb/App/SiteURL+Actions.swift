/// The actions posted to one object's page, typed so that a link names a route that exists (a mistyped string
/// once would have rendered a form posting to nowhere). Each is registered from the same `route`.
extension SiteURL {
    enum MemberAction: CaseIterable, Sendable {
        case cardLost, cardReplace, manualTier, adjustPoints, revealID, tags, coupons, contacts, manager, plateBind, plateUnbind

        var route: SiteRoute {
            switch self {
            case .cardLost: .memberCardLost
            case .cardReplace: .memberCardReplace
            case .manualTier: .memberManualTier
            case .adjustPoints: .memberAdjustPoints
            case .revealID: .memberRevealID
            case .tags: .memberTags
            case .coupons: .memberCoupons
            case .contacts: .memberContacts
            case .manager: .memberManager
            case .plateBind: .memberPlateBind
            case .plateUnbind: .memberPlateUnbind
            }
        }
    }

    enum RewardAction: CaseIterable, Sendable {
        case stock, active

        var route: SiteRoute {
            switch self {
            case .stock: .rewardStock
            case .active: .rewardActive
            }
        }
    }

    enum CampaignAction: CaseIterable, Sendable {
        case schedule, sendNow, cancel

        var route: SiteRoute {
            switch self {
            case .schedule: .campaignSchedule
            case .sendNow: .campaignSendNow
            case .cancel: .campaignCancel
            }
        }
    }

    enum ComplaintAction: CaseIterable, Sendable {
        case respond, resolve

        var route: SiteRoute {
            switch self {
            case .respond: .complaintRespond
            case .resolve: .complaintResolve
            }
        }
    }
}
