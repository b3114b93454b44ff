import NIOCore

/// One server reply; a multi-line reply ("250-…" lines ending with "250 …") arrives as one value.
public struct SMTPReply: Sendable, Equatable {
    public var code: Int
    public var lines: [String]

    public var text: String { lines.joined(separator: " | ") }
    /// 2xx and 3xx: the server goes along.
    public var isPositive: Bool { (200..<400).contains(code) }
}

/// Splits the byte stream into replies. Lines are CRLF-terminated (a bare LF is tolerated); a line is
/// `ddd-text` while more lines follow and `ddd text` (or just `ddd`) on the last.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    /// RFC 5321 allows 512 octets per reply line; servers that exceed this by far are not worth waiting for.
    static let maxLineBytes = 4096

    private var code: Int?
    private var lines: [String] = []

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maxLineBytes {
                throw SMTPError(.protocolViolation, text: "reply line longer than \(Self.maxLineBytes) bytes")
            }
            return .needMoreData
        }
        var bytes = buffer.readBytes(length: newline - buffer.readerIndex + 1)!
        bytes.removeLast()
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        let line = String(decoding: bytes, as: UTF8.self)
        if let reply = try accept(line) {
            context.fireChannelRead(wrapInboundOut(reply))
        }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A half line at EOF is dropped: the reader sees the connection end and reports that instead.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    /// Adds a line; returns the reply once its last line is in.
    mutating func accept(_ line: String) throws -> SMTPReply? {
        let u = Array(line.utf8)
        guard u.count >= 3, u[0...2].allSatisfy({ (48...57).contains($0) }), let value = Int(String(line.prefix(3))) else {
            throw SMTPError(.protocolViolation, text: "not an SMTP reply line: \(line.prefix(80))")
        }
        let separator = u.count > 3 ? u[3] : UInt8(ascii: " ")
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw SMTPError(.protocolViolation, text: "not an SMTP reply line: \(line.prefix(80))")
        }
        if let code, code != value {
            throw SMTPError(.protocolViolation, text: "multi-line reply changed its code from \(code) to \(value)")
        }
        code = value
        lines.append(u.count > 4 ? String(decoding: u[4...], as: UTF8.self) : "")
        guard separator == UInt8(ascii: " ") else { return nil }
        defer { code = nil; lines = [] }
        return SMTPReply(code: value, lines: lines)
    }
}

/// Turns a quiet server into an error the reader sees, instead of a read that never returns.
final class SMTPReadTimeoutHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = SMTPReply
    typealias InboundOut = SMTPReply

    let seconds: Int64

    init(seconds: Int64) { self.seconds = seconds }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.fireErrorCaught(SMTPError(.timeout, text: "no reply from the server within \(seconds) s"))
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
