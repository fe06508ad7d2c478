//! Account recovery (Bitwarden's admin password reset), the browser's part.
//! Every step runs where the keys are: the organisation's key pair is made
//! by a browser holding the organisation key; a member's browser seals the
//! member's user key to the organisation's public key; an administrator's
//! browser opens it with the organisation's private key and wraps it under
//! the new master password. The server stores ciphertext only.

use crate::crypto::{self, CryptoError, KeyPair, MasterKey, SymmetricKey};

/// A new recovery key pair for an organisation: (public key SPKI in base64,
/// private key encrypted with the organisation key).
pub fn new_org_key_pair(org_key: &SymmetricKey) -> (String, String) {
    let pair = KeyPair::generate();
    (crypto::b64(&pair.public_spki()), org_key.encrypt(&pair.secret_bytes()))
}

/// The member's enrolment: their user key sealed to the organisation's public key.
pub fn enrol(org_public_key_b64: &str, user_key: &SymmetricKey) -> Result<String, CryptoError> {
    let spki = crypto::unb64(org_public_key_b64)?;
    crypto::check_public_key(&spki)?;
    crypto::seal_to(&spki, &user_key.to_bytes())
}

/// What an administrator's browser sends to reset a member's master password.
pub struct Recovered {
    pub auth_hash: String,
    pub protected_user_key: String,
}

/// Opens the member's user key: organisation key → the organisation's
/// private key → the sealed user key.
pub fn open_user_key(org_key: &SymmetricKey, org_private_key: &str, sealed_user_key: &str) -> Result<SymmetricKey, CryptoError> {
    let pair = KeyPair::from_secret_bytes(&org_key.decrypt(org_private_key)?)?;
    SymmetricKey::from_bytes(&pair.unseal(sealed_user_key)?)
}

/// Wraps the member's user key under the new master password's master key
/// (derived with the member's own email and KDF settings).
pub fn rewrap(user_key: &SymmetricKey, new_master: &MasterKey, new_password: &str) -> Recovered {
    Recovered { auth_hash: crypto::auth_hash(new_master, new_password), protected_user_key: crypto::stretched_key(new_master).encrypt(&user_key.to_bytes()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Email, KdfParams};

    #[test]
    fn an_enrolled_member_unlocks_with_the_password_the_admin_set() {
        let email = Email::parse("mia@contoso.com").unwrap();
        let member = crypto::new_account("forgotten password", &email, KdfParams::MIN).unwrap();
        let org_key = SymmetricKey::generate();
        let (public, private) = new_org_key_pair(&org_key);
        let sealed = enrol(&public, &member.user_key).unwrap();
        assert!(sealed.starts_with("4."), "{sealed}");

        let master = crypto::master_key("new temporary password", &email, KdfParams::MIN).unwrap();
        let r = rewrap(&open_user_key(&org_key, &private, &sealed).unwrap(), &master, "new temporary password");
        assert_eq!(r.auth_hash, crypto::auth_hash(&master, "new temporary password"));
        let keys = crypto::unlock(&master, &r.protected_user_key, &member.protected_private_key).unwrap();
        assert_eq!(keys.user_key.to_bytes(), member.user_key.to_bytes(), "the same user key: every item still opens");

        // Another organisation's key opens nothing.
        assert!(open_user_key(&SymmetricKey::generate(), &private, &sealed).is_err());
        assert!(enrol("not a key", &member.user_key).is_err());
    }
}
