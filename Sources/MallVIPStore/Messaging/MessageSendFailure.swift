/// A sender's error that knows whether trying again can help (SMTP: 4xx and network trouble can, 5xx cannot).
/// The delivery worker may fail a message at once when `isTransient` is false instead of using up its attempts.
public protocol MessageSendFailure: Error {
    var isTransient: Bool { get }
}
