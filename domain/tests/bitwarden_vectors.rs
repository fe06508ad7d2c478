//! Bitwarden's published test vectors (fixtures/bitwarden_sdk_vectors.json,
//! from its SDK) against `domain::bitwarden`: what the portal derives,
//! encrypts and decrypts is byte for byte what Bitwarden's apps do.

use base64::{Engine, engine::general_purpose::STANDARD as B64};
use domain::bitwarden::{self, CryptoError, EncString, Kdf, MasterKey, RsaKeyPair, SharedKey, SymmetricKey};
use serde_json::Value;

fn vectors() -> Value {
    serde_json::from_str(include_str!("fixtures/bitwarden_sdk_vectors.json")).expect("the fixture is JSON")
}

fn kdf(v: &Value) -> Kdf {
    serde_json::from_value(v.clone()).expect("a KDF")
}

fn bytes(v: &Value) -> Vec<u8> {
    v.as_array().expect("a byte array").iter().map(|b| b.as_u64().expect("a byte") as u8).collect()
}

fn s(v: &Value) -> &str {
    v.as_str().expect("a string")
}

#[test]
fn master_key_pbkdf2_and_argon2id() {
    let v = vectors();
    for case in v["master_key"].as_array().unwrap() {
        let key = MasterKey::derive(s(&case["password"]), s(&case["email"]), kdf(&case["kdf"])).unwrap();
        assert_eq!(key.expose().as_slice(), bytes(&case["key"]).as_slice(), "{}", case["kdf"]);
    }
}

#[test]
fn master_password_hash() {
    let v = vectors();
    for case in v["master_password_hash"].as_array().unwrap() {
        let key = MasterKey::derive(s(&case["password"]), s(&case["email"]), kdf(&case["kdf"])).unwrap();
        assert_eq!(key.password_hash(s(&case["password"])), s(&case["hash"]), "{} {}", case["email"], case["kdf"]);
    }
}

#[test]
fn stretched_master_key() {
    let v = &vectors()["stretched_key"];
    let stretched = MasterKey::from_bytes(&bytes(&v["master_key"])).unwrap().stretch();
    let mut want = bytes(&v["enc"]);
    want.extend(bytes(&v["mac"]));
    assert_eq!(stretched.to_bytes().as_slice(), want.as_slice());
}

#[test]
fn aes_256_cbc_ciphertext_matches() {
    let v = &vectors()["aes_256_cbc"];
    let mut key = (0u8..32).collect::<Vec<_>>();
    key.extend([7u8; 32]);
    let key = SymmetricKey::from_bytes(&key).unwrap();
    let iv: [u8; 16] = core::array::from_fn(|i| i as u8);
    let enc = key.encrypt_with_iv(iv, s(&v["plaintext"]).as_bytes());
    let text = enc.to_string();
    let data = text.split('|').nth(1).unwrap();
    assert_eq!(data, s(&v["ciphertext"]));
    assert_eq!(key.decrypt_str(&enc).unwrap(), s(&v["plaintext"]));
}

/// Bitwarden's test account, as its server stores it: the master password
/// opens the user key (type 2), which opens the RSA private key (PKCS#8)
/// whose public half is the stored one; the private key opens the
/// organisation key (type 4), which opens the organisation's private key.
#[test]
fn the_test_account_unlocks() {
    let a = &vectors()["account"];
    let master = MasterKey::derive(s(&a["password"]), s(&a["email"]), kdf(&a["kdf"])).unwrap();
    let keys = bitwarden::unlock(&master, s(&a["user_key"]), s(&a["private_key"])).unwrap();
    assert_eq!(B64.encode(keys.key_pair.public_spki()), s(&a["public_key"]));

    let org_key = keys.key_pair.decapsulate(&s(&a["organization_key"]).parse().unwrap()).unwrap();
    let org_private = org_key.decrypt(&s(&a["organization_private_key"]).parse().unwrap()).unwrap();
    let org_pair = RsaKeyPair::from_pkcs8(&org_private).unwrap();
    assert_eq!(B64.encode(org_pair.public_spki()), s(&a["organization_public_key"]));

    // A wrong password is refused by the MAC, not by a padding accident.
    let wrong = MasterKey::derive("asdfasdfasdX", s(&a["email"]), kdf(&a["kdf"])).unwrap();
    assert_eq!(bitwarden::unlock(&wrong, s(&a["user_key"]), s(&a["private_key"])).err(), Some(CryptoError::Decrypt));
}

/// The SDK's seeded test key: ChaCha20 seeded with SHA-256("test"), 32
/// bytes of encryption key then 32 of MAC key.
fn seeded_key(seed: &str) -> Vec<u8> {
    use rand_chacha::rand_core::{RngCore, SeedableRng};
    use sha2::Digest;
    let mut rng = rand_chacha::ChaCha20Rng::from_seed(sha2::Sha256::digest(seed.as_bytes()).into());
    let mut key = vec![0u8; 64];
    rng.fill_bytes(&mut key[..32]);
    rng.fill_bytes(&mut key[32..]);
    key
}

#[test]
fn rsa_oaep_type_4_and_3() {
    let v = &vectors()["rsa_oaep"];
    let pem_body: String = s(&v["private_key_pem"]).lines().filter(|l| !l.starts_with("-----")).collect();
    let pair = RsaKeyPair::from_pkcs8(&B64.decode(pem_body).unwrap()).unwrap();
    let want = seeded_key(s(&v["seed_of_shared_key"]));
    for field in ["type_4", "type_3"] {
        let shared: SharedKey = s(&v[field]).parse().unwrap();
        assert_eq!(shared.to_string(), s(&v[field]));
        assert_eq!(pair.decapsulate(&shared).unwrap().to_bytes().as_slice(), want.as_slice(), "{field}");
    }
}

#[test]
fn fingerprint_phrase() {
    let v = &vectors()["fingerprint"];
    let id = domain::fingerprint::Uuid::parse_str(s(&v["user_id"])).unwrap();
    assert_eq!(domain::fingerprint::phrase(id, &bytes(&v["public_key"])), s(&v["phrase"]));
}

#[test]
fn new_account_round_trip_and_type_4_to_a_member() {
    let kdf = Kdf::Argon2id { iterations: 2, memory_mib: 16, parallelism: 1 };
    let account = bitwarden::NewAccount::create("correct horse battery staple", "Admin@Example.com ", kdf).unwrap();
    let master = MasterKey::derive("correct horse battery staple", "admin@example.com", kdf).unwrap();
    assert_eq!(master.password_hash("correct horse battery staple"), account.master_password_hash);
    let keys = bitwarden::unlock(&master, &account.wrapped_user_key.to_string(), &account.wrapped_private_key.to_string()).unwrap();
    assert_eq!(keys.user_key, account.user_key);
    assert_eq!(keys.key_pair.public_spki(), account.public_key);

    // A provider key handed to this member, as an admin's browser does it.
    let provider_key = SymmetricKey::generate();
    let handed = SharedKey::encapsulate(&provider_key, &account.public_key).unwrap();
    assert!(handed.to_string().starts_with("4."));
    assert_eq!(keys.key_pair.decapsulate(&handed.to_string().parse().unwrap()).unwrap(), provider_key);
}

#[test]
fn enc_string_refuses_tampering_and_other_types() {
    let key = SymmetricKey::generate();
    let enc = key.encrypt_str("hunter2");
    let text = enc.to_string();
    assert!(text.starts_with("2.") && text.split('|').count() == 3);
    assert_eq!(key.decrypt_str(&text.parse().unwrap()).unwrap(), "hunter2");

    // Flip one bit of the ciphertext: the MAC refuses it before decryption.
    let mut parts: Vec<String> = text.split('|').map(String::from).collect();
    let mut ct = B64.decode(&parts[1]).unwrap();
    ct[0] ^= 1;
    parts[1] = B64.encode(ct);
    let tampered: EncString = parts.join("|").parse().unwrap();
    assert_eq!(key.decrypt(&tampered), Err(CryptoError::Decrypt));
    // Another key is refused the same way.
    assert_eq!(SymmetricKey::generate().decrypt(&enc), Err(CryptoError::Decrypt));
    // Type 0 (no MAC), garbage and missing parts are malformed.
    for bad in ["0.pMS6/icTQABtulw52pq2lg==|XXbxKxDTh+mWiN1HjH2N1w==", "2.abc", "2.||", "x1.AAAA", ""] {
        assert_eq!(bad.parse::<EncString>(), Err(CryptoError::Format), "{bad}");
    }
}

#[test]
fn kdf_limits_are_checked_before_deriving() {
    for weak in [
        Kdf::Pbkdf2 { iterations: 4_999 },
        Kdf::Pbkdf2 { iterations: 2_000_001 },
        Kdf::Argon2id { iterations: 1, memory_mib: 64, parallelism: 4 },
        Kdf::Argon2id { iterations: 3, memory_mib: 15, parallelism: 4 },
        Kdf::Argon2id { iterations: 3, memory_mib: 64, parallelism: 0 },
        Kdf::Argon2id { iterations: 3, memory_mib: 2048, parallelism: 4 },
    ] {
        assert!(matches!(MasterKey::derive("pw", "a@b.c", weak), Err(CryptoError::UnsafeKdf(_))), "{weak:?}");
    }
    assert_eq!(Kdf::from_wire(0, 600_000, None, None).unwrap(), Kdf::DEFAULT_PBKDF2);
    assert_eq!(Kdf::from_wire(1, 3, Some(64), Some(4)).unwrap(), Kdf::DEFAULT);
    assert_eq!(Kdf::DEFAULT.to_wire(), (1, 3, Some(64), Some(4)));
    assert!(Kdf::from_wire(1, 3, None, Some(4)).is_err());
    assert!(Kdf::from_wire(7, 3, None, None).is_err());
}
