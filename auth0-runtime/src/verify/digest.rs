//! The SHA-256 digest of an access token, which keys the token cache and, encoded, is the
//! `ath` claim of a DPoP proof.
//!
//! A client that calls an API with one token sends it again and again, often to the same
//! worker thread: a machine-to-machine token lives for hours. Each thread therefore keeps the
//! last token it hashed with its digest. A token equal to it, byte for byte, reuses that
//! digest, and any other token is hashed and replaces it. The memo keeps one token per
//! thread, and a miss costs one comparison and one copy.
//!
//! NOTE: the copy stays in the thread's memory until the thread hashes another token, as
//! the request's bytes may stay in a reused read buffer. A core dump can contain it.

use std::cell::RefCell;

use sha2::{Digest, Sha256};

/// The SHA-256 digest of a whole token.
pub(crate) type TokenDigest = [u8; 32];

/// Tokens longer than this are hashed without the memo, so a thread never keeps a large
/// buffer for one unusual request. Auth0 access tokens are usually under 2 KiB.
const MEMO_MAX_BYTES: usize = 8 * 1024;

#[derive(Default)]
struct LastToken {
    token: Vec<u8>,
    digest: TokenDigest,
}

thread_local! {
    static LAST_TOKEN: RefCell<LastToken> = RefCell::new(LastToken::default());
}

/// Returns the SHA-256 digest of `token`.
pub(crate) fn token_digest(token: &str) -> TokenDigest {
    let token = token.as_bytes();
    if token.len() > MEMO_MAX_BYTES {
        return Sha256::digest(token).into();
    }
    LAST_TOKEN
        .try_with(|last| {
            let mut last = last.borrow_mut();
            if !last.token.is_empty() && equal_in_constant_time(&last.token, token) {
                return last.digest;
            }
            let digest: TokenDigest = Sha256::digest(token).into();
            last.token.clear();
            last.token.extend_from_slice(token);
            last.digest = digest;
            digest
        })
        // The thread is shutting down and its memo is gone.
        .unwrap_or_else(|_| Sha256::digest(token).into())
}

/// Compares two byte strings without stopping at the first difference, so the time taken
/// does not tell a caller how much of another client's token it guessed. Only the length
/// is compared first, and a token's length is no secret. `subtle::ConstantTimeEq` would put
/// an optimization barrier on every byte, which made a cache hit about six times slower in
/// one measurement, whereas this fold compiles to a vectorized loop with no early exit.
fn equal_in_constant_time(left: &[u8], right: &[u8]) -> bool {
    if left.len() != right.len() {
        return false;
    }
    let difference = left
        .iter()
        .zip(right)
        .fold(0u8, |difference, (a, b)| difference | (a ^ b));
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uncached(token: &str) -> TokenDigest {
        Sha256::digest(token.as_bytes()).into()
    }

    #[test]
    fn repeated_token_gets_the_same_digest() {
        let first = token_digest("header.payload.signature");
        let second = token_digest("header.payload.signature");
        assert_eq!(first, uncached("header.payload.signature"));
        assert_eq!(second, first);
    }

    #[test]
    fn last_byte_change_is_hashed_again() {
        let first = token_digest("header.payload.signaturA");
        let second = token_digest("header.payload.signaturB");
        assert_eq!(first, uncached("header.payload.signaturA"));
        assert_eq!(second, uncached("header.payload.signaturB"));
        assert_ne!(first, second);
    }

    #[test]
    fn prefix_of_last_token_is_hashed() {
        token_digest("header.payload.signature");
        assert_eq!(token_digest("header.payload"), uncached("header.payload"));
        assert_eq!(token_digest(""), uncached(""));
        assert_eq!(token_digest(""), uncached(""));
    }

    #[test]
    fn long_token_is_hashed_without_the_memo() {
        let long = "a".repeat(MEMO_MAX_BYTES + 1);
        assert_eq!(token_digest(&long), uncached(&long));
        assert_eq!(token_digest(&long), uncached(&long));
    }

    #[test]
    fn comparison_needs_equal_length_and_bytes() {
        assert!(equal_in_constant_time(b"abc", b"abc"));
        assert!(!equal_in_constant_time(b"abc", b"abd"));
        assert!(!equal_in_constant_time(b"abc", b"ab"));
        assert!(equal_in_constant_time(b"", b""));
    }
}
