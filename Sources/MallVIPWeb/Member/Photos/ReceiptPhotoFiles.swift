import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// The receipt photos on disk (issue 19): one directory (`AppConfig.receiptPhotoDirectory`, created 0700), each file
/// named by 32 random hex digits and the extension of its checked content — never by the member's file name — and
/// written whole (temporary name, then renamed) so a reader never sees half a photo.
struct ReceiptPhotoFiles: Sendable {
    let directory: String

    /// A checked upload: its kind by content, SHA-256 and size.
    struct Checked: Sendable {
        var image: ReceiptImage
        var sha256: String
        var bytes: [UInt8]
    }

    /// Checks an upload by content: at most `maxBytes`, a JPEG or PNG with a parsable header of sane size. Errors name
    /// the form field `photo`.
    static func check(_ bytes: [UInt8], maxBytes: Int) throws -> Checked {
        guard !bytes.isEmpty else {
            throw DomainError.invalid("photo", "photo.required", zh: "请选择小票照片", en: "photo: choose a photo of the receipt")
        }
        guard bytes.count <= maxBytes else {
            let mb = Double(maxBytes) / Double(1 << 20)
            let text = mb == mb.rounded() ? String(Int(mb)) : String(format: "%.1f", mb)
            throw DomainError.invalid("photo", "photo.maxBytes", zh: "照片不能超过 \(text) MB", en: "photo must be at most \(text) MB (\(maxBytes) bytes)")
        }
        guard let image = ReceiptImage.inspect(bytes) else {
            throw DomainError.invalid("photo", "photo.type", zh: "照片须为 JPEG 或 PNG 图片", en: "photo must be a JPEG or PNG image")
        }
        let hex = sha256Hex(bytes: bytes)
        return Checked(image: image, sha256: hex, bytes: bytes)
    }

    /// Writes the photo and returns its file name.
    func save(_ checked: Checked) throws -> String {
        let fm = FileManager.default
        if !fm.fileExists(atPath: directory) {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        var rng = SystemRandomNumberGenerator()
        let id = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
        let name = "\(id).\(checked.image.kind.fileExtension)"
        let temp = directory + "/." + name + ".part"
        guard fm.createFile(atPath: temp, contents: Data(checked.bytes), attributes: [.posixPermissions: 0o600]) else {
            throw Abort(.internalServerError, reason: "could not write the photo")
        }
        try fm.moveItem(atPath: temp, toPath: directory + "/" + name)
        return name
    }

    /// The stored bytes of `fileName` (a name this type made: 32 hex digits and an extension; anything else is nil).
    func read(_ fileName: String) -> Data? {
        guard Self.isOwnName(fileName) else { return nil }
        return FileManager.default.contents(atPath: directory + "/" + fileName)
    }

    func remove(_ fileName: String) {
        guard Self.isOwnName(fileName) else { return }
        try? FileManager.default.removeItem(atPath: directory + "/" + fileName)
    }

    static func isOwnName(_ name: String) -> Bool {
        let parts = name.split(separator: ".")
        return parts.count == 2 && parts[0].count == 32 && parts[0].allSatisfy(\.isHexDigit) && ["jpg", "png"].contains(parts[1])
    }

    /// The response serving a stored photo: its stored type, `nosniff`, never cached by a shared cache.
    static func response(_ data: Data, contentType: String) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: contentType == "image/png" ? "image/png" : "image/jpeg")
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        headers.replaceOrAdd(name: .contentDisposition, value: "inline")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
}

extension Request {
    /// The receipt photo files of this server.
    var receiptPhotoFiles: ReceiptPhotoFiles { ReceiptPhotoFiles(directory: application.appConfig.receiptPhotoDirectory) }
}
