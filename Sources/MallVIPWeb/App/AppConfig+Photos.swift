import Foundation
import MallVIPStore

extension AppConfig {
    /// The directory receipt photos are written to (issue 19, docs/configuration.md `MALLVIP_PHOTO_DIR`): the variable
    /// when set; else, on SQLite, `<database file>.photos` beside the database (backed up with it, as its `.key`); else
    /// `mallvip-photos` in the current folder. Files are named by a random id, never by anything a member typed.
    public var receiptPhotoDirectory: String {
        if let photoDirectory { return photoDirectory }
        if case .sqlite(let path) = database, !path.isEmpty, path != ":memory:", !path.hasPrefix("file::memory") {
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            return URL(fileURLWithPath: absolute).standardizedFileURL.path + ".photos"
        }
        return FileManager.default.currentDirectoryPath + "/mallvip-photos"
    }
}
