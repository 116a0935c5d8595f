internal import CLibSSL

/// The hash functions SCRAM uses, with the libcrypto primitives built on them: hash, HMAC and PBKDF2
/// (RFC 5802 §2.2).
package enum SCRAMHash: Sendable {
    case sha1
    case sha256
    case sha512

    /// The output length in bytes.
    var length: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha512: 64
        }
    }

    private var evp: OpaquePointer? {
        switch self {
        case .sha1: EVP_sha1()
        case .sha256: EVP_sha256()
        case .sha512: EVP_sha512()
        }
    }

    /// `H(data)`.
    package func hash(_ data: [UInt8]) throws(SASLError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: length)
        var size: UInt32 = 0
        let status = output.withUnsafeMutableBufferPointer { out in
            EVP_Digest(data, data.count, out.baseAddress, &size, evp, nil)
        }
        guard status == 1, Int(size) == length else { throw .cryptographyFailed("EVP_Digest") }
        return output
    }

    /// `HMAC(key, data)`.
    package func hmac(key: [UInt8], _ data: [UInt8]) throws(SASLError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: length)
        var size: UInt32 = 0
        let result = output.withUnsafeMutableBufferPointer { out in
            HMAC(evp, key, Int32(key.count), data, data.count, out.baseAddress, &size)
        }
        guard result != nil, Int(size) == length else { throw .cryptographyFailed("HMAC") }
        return output
    }

    /// `Hi(password, salt, iterations)`: PBKDF2 with HMAC over this hash, one block long.
    func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int) throws(SASLError) -> [UInt8] {
        guard let count = Int32(exactly: iterations), let passwordLength = Int32(exactly: password.count),
            let saltLength = Int32(exactly: salt.count)
        else { throw .cryptographyFailed("PKCS5_PBKDF2_HMAC") }
        var output = [UInt8](repeating: 0, count: length)
        let status = password.withUnsafeBufferPointer { password in
            password.withMemoryRebound(to: CChar.self) { password in
                PKCS5_PBKDF2_HMAC(
                    password.baseAddress, passwordLength, salt, saltLength, count, evp, Int32(length), &output)
            }
        }
        guard status == 1 else { throw .cryptographyFailed("PKCS5_PBKDF2_HMAC") }
        return output
    }
}

/// Fills `count` bytes from libcrypto's CSPRNG.
func randomBytes(_ count: Int) throws(SASLError) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    guard RAND_bytes(&bytes, Int32(count)) == 1 else { throw .cryptographyFailed("RAND_bytes") }
    return bytes
}

/// Compares in time that depends on the length only, not on where the bytes differ.
func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    return CRYPTO_memcmp(lhs, rhs, lhs.count) == 0
}
