import MallVIPCore
import Testing

/// Which addresses a webhook may not reach (issue 14, SSRF).
@Suite("Network address classes")
struct NetworkAddressClassTests {
    static func v4(_ s: String) -> [UInt8] { s.split(separator: ".").map { UInt8($0)! } }

    /// "::ffff:7f00:1" style, written out as 8 groups for the test (no `::` shortening).
    static func v6(_ groups: [UInt16]) -> [UInt8] { groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] } }

    @Test("IPv4", arguments: [
        ("127.0.0.1", NetworkAddressClass.loopback), ("127.255.1.2", .loopback),
        ("10.0.0.1", .privateNetwork), ("172.16.0.1", .privateNetwork), ("172.31.255.255", .privateNetwork),
        ("192.168.1.1", .privateNetwork),
        ("169.254.169.254", .linkLocal),
        ("0.0.0.0", .unspecified), ("0.1.2.3", .unspecified),
        ("100.64.0.1", .sharedAddressSpace), ("100.127.255.255", .sharedAddressSpace),
        ("224.0.0.1", .multicast), ("239.255.255.250", .multicast),
        ("255.255.255.255", .broadcastOrReserved), ("240.0.0.1", .broadcastOrReserved),
        ("8.8.8.8", .global), ("172.15.0.1", .global), ("172.32.0.1", .global), ("100.63.255.255", .global),
        ("100.128.0.1", .global), ("169.253.0.1", .global), ("203.0.113.7", .global),
    ])
    func ipv4(_ address: String, _ expected: NetworkAddressClass) {
        #expect(NetworkAddressClass.of(Self.v4(address)) == expected, "\(address)")
    }

    @Test("IPv6, with the IPv4 forms it can carry")
    func ipv6() {
        #expect(NetworkAddressClass.of(Self.v6([0, 0, 0, 0, 0, 0, 0, 0])) == .unspecified)
        #expect(NetworkAddressClass.of(Self.v6([0, 0, 0, 0, 0, 0, 0, 1])) == .loopback)
        #expect(NetworkAddressClass.of(Self.v6([0xfc00, 0, 0, 0, 0, 0, 0, 1])) == .privateNetwork)
        #expect(NetworkAddressClass.of(Self.v6([0xfd12, 0x3456, 0, 0, 0, 0, 0, 1])) == .privateNetwork)
        #expect(NetworkAddressClass.of(Self.v6([0xfe80, 0, 0, 0, 0, 0, 0, 1])) == .linkLocal)
        #expect(NetworkAddressClass.of(Self.v6([0xfebf, 0, 0, 0, 0, 0, 0, 1])) == .linkLocal)
        #expect(NetworkAddressClass.of(Self.v6([0xff02, 0, 0, 0, 0, 0, 0, 1])) == .multicast)
        // IPv4-mapped ::ffff:127.0.0.1, ::ffff:169.254.169.254, ::ffff:10.1.2.3; and a public one.
        #expect(NetworkAddressClass.of(Self.v6([0, 0, 0, 0, 0, 0xffff, 0x7f00, 0x0001])) == .loopback)
        #expect(NetworkAddressClass.of(Self.v6([0, 0, 0, 0, 0, 0xffff, 0xa9fe, 0xa9fe])) == .linkLocal)
        #expect(NetworkAddressClass.of(Self.v6([0, 0, 0, 0, 0, 0xffff, 0x0a01, 0x0203])) == .privateNetwork)
        #expect(NetworkAddressClass.of(Self.v6([0, 0, 0, 0, 0, 0xffff, 0x0808, 0x0808])) == .global)
        // IPv4-compatible ::127.0.0.1, NAT64 64:ff9b::10.0.0.1, 6to4 2002:7f00:0001::
        #expect(NetworkAddressClass.of(Self.v6([0, 0, 0, 0, 0, 0, 0x7f00, 0x0001])) == .loopback)
        #expect(NetworkAddressClass.of(Self.v6([0x64, 0xff9b, 0, 0, 0, 0, 0x0a00, 0x0001])) == .privateNetwork)
        #expect(NetworkAddressClass.of(Self.v6([0x2002, 0x7f00, 0x0001, 0, 0, 0, 0, 1])) == .loopback)
        #expect(NetworkAddressClass.of(Self.v6([0x2001, 0x4860, 0x4860, 0, 0, 0, 0, 0x8888])) == .global)
        #expect(NetworkAddressClass.of([1, 2, 3]) == .broadcastOrReserved)
        #expect(NetworkAddressClass.allCases.filter(\.isPublic) == [.global])
    }
}
