//! API keys: the secret a caller presents, and what the store keeps of it.

use std::fmt;
use std::str::FromStr;

use rand::Rng;
use sha2::{Digest, Sha256};

use crate::{ApiKeyId, OrganizationId, Timestamp, UserId};

const PREFIX: &str = "mob_";
/// 43 characters of a 64-letter alphabet carry 258 bits.
const RANDOM_LEN: usize = 43;
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const SUFFIX_LEN: usize = 4;

/// An API key secret: `mob_` and 43 URL-safe random characters.
///
/// Its `Debug` prints nothing of it; only [`ApiKeySecret::expose`] does, for
/// the one time it is shown.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeySecret(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("is not an API key")]
pub struct InvalidApiKey;

impl ApiKeySecret {
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        let mut secret = String::with_capacity(PREFIX.len() + RANDOM_LEN);
        secret.push_str(PREFIX);
        secret.extend(
            (0..RANDOM_LEN).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])),
        );
        Self(secret)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn digest(&self) -> ApiKeyDigest {
        ApiKeyDigest(Sha256::digest(self.0.as_bytes()).into())
    }

    /// The last characters, kept so that people can tell their keys apart.
    pub fn suffix(&self) -> &str {
        &self.0[self.0.len() - SUFFIX_LEN..]
    }
}

impl FromStr for ApiKeySecret {
    type Err = InvalidApiKey;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let random = text.strip_prefix(PREFIX).ok_or(InvalidApiKey)?;
        if random.len() == RANDOM_LEN && random.bytes().all(|b| ALPHABET.contains(&b)) {
            Ok(Self(text.to_owned()))
        } else {
            Err(InvalidApiKey)
        }
    }
}

impl fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKeySecret(<redacted>)")
    }
}

/// SHA-256 of a secret: what the store keeps and looks keys up by. A fast
/// hash is right here, since the secret has far too much entropy to guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ApiKeyDigest([u8; 32]);

impl ApiKeyDigest {
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// An API key as the store keeps it: never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub user_id: UserId,
    /// The organization the key is bound to; `None` for a personal key.
    pub organization_id: Option<OrganizationId>,
    pub name: Option<String>,
    pub suffix: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_back() {
        let key = ApiKeySecret::generate();
        assert!(key.expose().starts_with("mob_"));
        assert_eq!(key.expose().len(), 4 + 43);
        assert_eq!(key.expose().parse(), Ok(key.clone()));
        assert_eq!(key.suffix(), &key.expose()[43..]);
    }

    #[test]
    fn generated_keys_differ() {
        assert_ne!(ApiKeySecret::generate(), ApiKeySecret::generate());
    }

    #[test]
    fn parsing_refuses_anything_but_the_key_format() {
        let good = ApiKeySecret::generate().expose().to_owned();
        for bad in [
            String::new(),
            "mob_".to_owned(),
            good[4..].to_owned(),
            format!("MOB_{}", &good[4..]),
            format!("{good}x"),
            good[..good.len() - 1].to_owned(),
            format!("{}+", &good[..good.len() - 1]),
            format!(" {good}"),
            "mob_".to_owned() + &"é".repeat(21) + "x",
        ] {
            assert_eq!(bad.parse::<ApiKeySecret>(), Err(InvalidApiKey), "{bad:?}");
        }
    }

    #[test]
    fn debug_prints_no_secret() {
        let key = ApiKeySecret::generate();
        assert!(!format!("{key:?}").contains(&key.expose()[4..]));
    }

    #[test]
    fn digest_is_sha256_of_the_whole_secret() {
        let key: ApiKeySecret = format!("mob_{}", "A".repeat(43)).parse().expect("valid");
        let hex: String = key
            .digest()
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "10fb71f074233e319d52c7da5d4c37025ae43ebe1e6597520f6635fb26965470"
        );
        assert_eq!(
            ApiKeyDigest::from_bytes(key.digest().as_bytes()),
            Some(key.digest())
        );
        assert_eq!(ApiKeyDigest::from_bytes(&[0; 31]), None);
    }
}
