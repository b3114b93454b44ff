import Crypto
import Foundation

/// National ID numbers are stored encrypted (AES-GCM) with a keyed hash (HMAC-SHA256) beside them, so the
/// one-person-one-card check works without decrypting anything. The key comes from `DataKey.resolve` (the
/// `MALLVIP_DATA_KEY` variable, or the key file beside a SQLite database); there is deliberately no constructor that
/// falls back to a built-in key.
public struct PersonalDataCipher: Sendable {
    private let key: SymmetricKey
    private let hashKey: SymmetricKey

    public init(keyData: Data) {
        key = SymmetricKey(data: SHA256.hash(data: keyData + Data("enc".utf8)))
        hashKey = SymmetricKey(data: SHA256.hash(data: keyData + Data("mac".utf8)))
    }

    public func hash(_ value: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(value.uppercased().utf8), using: hashKey)
        return Data(mac).base64EncodedString()
    }

    public func encrypt(_ value: String) throws -> String {
        let box = try AES.GCM.seal(Data(value.utf8), using: key)
        return box.combined!.base64EncodedString()
    }

    public func decrypt(_ cipher: String) throws -> String {
        guard let data = Data(base64Encoded: cipher) else { throw CocoaError(.coderReadCorrupt) }
        let box = try AES.GCM.SealedBox(combined: data)
        return String(decoding: try AES.GCM.open(box, using: key), as: UTF8.self)
    }
}

/// SHA-256 hex, for API keys and request fingerprints.
public func sha256Hex(_ text: String) -> String {
    // Hand-rolled hex: String(format:) per byte was a measurable share of a purchase post.
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(64)
    for byte in SHA256.hash(data: Data(text.utf8)) {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
}
