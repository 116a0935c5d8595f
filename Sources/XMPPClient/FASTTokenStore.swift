import NIOConcurrencyHelpers
public import XMPPCore
public import XMPPStream

/// Where a client keeps its FAST tokens (XEP-0484) between logins: implement it over the keychain, a secrets file
/// or whatever holds the password, so that a restarted process logs in with the token. A token is as secret as a
/// password.
///
/// ``XMPPClient`` asks for the account's token before each connection, stores each token the server issues (a
/// first one, or a rotation), and removes a token the server refused before logging in with the password.
public protocol FASTTokenStore: Sendable {
    /// The token for an account (a bare JID), if there is one.
    func token(for account: JID) async -> FASTToken?
    /// Keeps a token for an account, in place of any earlier one.
    func store(_ token: FASTToken, for account: JID) async
    /// Forgets the account's token.
    func removeToken(for account: JID) async
}

/// Tokens in memory, for the life of the process: reconnections log in without the password, a restart with it.
/// The default store.
public final class InMemoryFASTTokenStore: FASTTokenStore {
    private let tokens = NIOLockedValueBox<[JID: FASTToken]>([:])

    /// An empty store.
    public init() {}

    /// The token for an account, if there is one.
    public func token(for account: JID) async -> FASTToken? { tokens.withLockedValue { $0[account.bare] } }

    /// Keeps a token for an account.
    public func store(_ token: FASTToken, for account: JID) async {
        tokens.withLockedValue { $0[account.bare] = token }
    }

    /// Forgets the account's token.
    public func removeToken(for account: JID) async {
        _ = tokens.withLockedValue { $0.removeValue(forKey: account.bare) }
    }
}
