@testable import MallVIPCore
import Testing

@Suite("Staff password policy (issue 14)") struct PasswordPolicyTests {
    func rule(_ password: String, _ username: String = "desk") -> String? {
        do { try PasswordPolicy.check(password, username: username); return nil } catch let e as DomainError { return e.rule } catch { return "?" }
    }

    @Test func lengthAtLeastTwelveAndAtMostSeventyTwoBytes() {
        #expect(rule("Kx9#mQ2vL7p") == "password.length")          // 11
        #expect(rule("Kx9#mQ2vL7pZ") == nil)                       // 12
        #expect(rule(String(repeating: "Kx9#mQ2vL7pZ", count: 7)) == "password.length")   // 84 bytes: bcrypt would cut it
    }

    @Test func commonPasswordsAndTheirObviousVariantsAreRefused() {
        for p in ["password1234", "Password2026!", "qwerty123456", "123456789012", "1q2w3e4r5t6y", "woaini1314520", "iloveyou1234",
                  "aaaaaaaaaaaa", "121212121212", "abcdefghijkl", "qwertyuiopas", "0987654321098", "!!Welcome2026", "Admin@123456",
                  "mallvip2026!", "zxcvbnm,./12", "ADMINADMIN12"] {
            #expect(rule(p) == "password.common", "\(p) should be refused")
        }
    }

    @Test func theUsernameIsRefused() {
        #expect(rule("zhangxiaoming", "zhangxiaoming") == "password.username")
        #expect(rule("zhangxiaoming2026", "zhangxiaoming") == "password.username")
        #expect(rule("gnimoaixgnahz", "zhangxiaoming") == "password.username")
        #expect(rule("desk-pass-1234", "desk") == nil)     // a short username inside a longer phrase is fine
    }

    @Test func ordinaryStrongPasswordsPass() {
        for p in ["correct-horse-7", "海底捞火锅-2026-周五", "Tr4in.Blue.Lamp", "my cat eats noodles"] {
            #expect(rule(p) == nil, "\(p) should pass")
        }
    }

    @Test func temporaryPasswordsPassThePolicyAndDiffer() {
        let a = PasswordPolicy.temporary(), b = PasswordPolicy.temporary()
        #expect(a.count == 16 && a != b)
        #expect(rule(a, "admin") == nil)
    }
}
