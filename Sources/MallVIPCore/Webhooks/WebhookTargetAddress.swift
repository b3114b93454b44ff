/// Where a webhook may not go (SSRF): an address of the host itself, of the mall's own network or of the cloud's
/// metadata service. A subscription names a URL; its host's every address is classified here, at creation and
/// again just before each send, and one non-public address refuses the target (unless the deployment allows
/// private receivers, `MALLVIP_WEBHOOK_ALLOW_PRIVATE=1`). Pure: the resolution itself is the store's.
public enum NetworkAddressClass: String, Sendable, Equatable, CaseIterable {
    case global
    /// 127.0.0.0/8, ::1
    case loopback
    /// 10/8, 172.16/12, 192.168/16, fc00::/7 (unique local), fec0::/10 (old site-local)
    case privateNetwork
    /// 169.254/16 (cloud metadata lives at 169.254.169.254), fe80::/10
    case linkLocal
    /// 0.0.0.0/8, :: — "this host" to most stacks
    case unspecified
    /// 100.64/10, carrier-grade NAT
    case sharedAddressSpace
    /// 224/4, ff00::/8
    case multicast
    /// 255.255.255.255 and the rest of 240/4 (reserved)
    case broadcastOrReserved

    public var isPublic: Bool { self == .global }

    public var label: (zh: String, en: String) {
        switch self {
        case .global: ("公网地址", "a public address")
        case .loopback: ("本机回环地址", "a loopback address")
        case .privateNetwork: ("内网地址", "a private-network address")
        case .linkLocal: ("链路本地地址", "a link-local address")
        case .unspecified: ("未指定地址", "an unspecified address")
        case .sharedAddressSpace: ("运营商共享地址（100.64.0.0/10）", "a shared (carrier-grade NAT) address")
        case .multicast: ("组播地址", "a multicast address")
        case .broadcastOrReserved: ("广播或保留地址", "a broadcast or reserved address")
        }
    }

    /// `bytes`: 4 (IPv4) or 16 (IPv6) in network order. Anything else is not an address: refused as reserved.
    public static func of(_ bytes: [UInt8]) -> NetworkAddressClass {
        switch bytes.count {
        case 4: return ipv4(bytes[0], bytes[1], bytes[2], bytes[3])
        case 16: return ipv6(bytes)
        default: return .broadcastOrReserved
        }
    }

    static func ipv4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> NetworkAddressClass {
        switch (a, b) {
        case (0, _): return .unspecified
        case (127, _): return .loopback
        case (10, _), (172, 16...31), (192, 168): return .privateNetwork
        case (169, 254): return .linkLocal
        case (100, 64...127): return .sharedAddressSpace
        case (224...239, _): return .multicast
        case (240...255, _): return .broadcastOrReserved
        default: return .global
        }
    }

    static func ipv6(_ b: [UInt8]) -> NetworkAddressClass {
        let head = b[0..<12]
        if head.allSatisfy({ $0 == 0 }) {
            if b[12..<15].allSatisfy({ $0 == 0 }) {
                if b[15] == 0 { return .unspecified }      // ::
                if b[15] == 1 { return .loopback }         // ::1
            }
            return ipv4(b[12], b[13], b[14], b[15])        // ::a.b.c.d (IPv4-compatible, deprecated)
        }
        // ::ffff:a.b.c.d (IPv4-mapped) and 64:ff9b::a.b.c.d (NAT64): the IPv4 address is where it really goes.
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return ipv4(b[12], b[13], b[14], b[15]) }
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..<12].allSatisfy({ $0 == 0 }) {
            return ipv4(b[12], b[13], b[14], b[15])
        }
        // 2002:a.b.c.d::/48 (6to4) carries an IPv4 address too.
        if b[0] == 0x20 && b[1] == 0x02 {
            let inner = ipv4(b[2], b[3], b[4], b[5])
            if !inner.isPublic { return inner }
        }
        if b[0] & 0xfe == 0xfc { return .privateNetwork }                    // fc00::/7
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return .linkLocal }         // fe80::/10
        if b[0] == 0xfe && b[1] & 0xc0 == 0xc0 { return .privateNetwork }    // fec0::/10
        if b[0] == 0xff { return .multicast }                                // ff00::/8
        return .global
    }
}
