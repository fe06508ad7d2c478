//! Bitwarden's cipher (vault item) model: every item type, each text field its
//! own EncString under the user key (personal items) or the organisation key
//! (shared items), in the JSON shape Bitwarden's apps send and read
//! (`type`, `name`, `notes`, `login.uris[].match`, `fields[].type`, …).
//!
//! One generic struct serves both sides: [`CipherView`] (`Cipher<String>`) is
//! the plaintext the browser edits; [`EncryptedCipher`] (`Cipher<EncString>`)
//! is what the server stores and checks — it deserialises only when every
//! encrypted field is a well-formed EncString type 2, so a server-side
//! `serde_json::from_str` is the whole shape check. Server-owned facts (id,
//! organisation, collections, dates, deletion) are not part of it.

use super::{CryptoError, EncString, SymmetricKey};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Bitwarden's item types, by their wire numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum CipherType {
    #[default]
    Login,
    SecureNote,
    Card,
    Identity,
    SshKey,
}

impl CipherType {
    pub const ALL: [CipherType; 5] = [CipherType::Login, CipherType::Card, CipherType::Identity, CipherType::SecureNote, CipherType::SshKey];

    pub fn label(self) -> &'static str {
        match self {
            CipherType::Login => "Login",
            CipherType::SecureNote => "Secure note",
            CipherType::Card => "Card",
            CipherType::Identity => "Identity",
            CipherType::SshKey => "SSH key",
        }
    }

    /// The lower-case word Bitwarden's CSV uses (`login`, `note`, `card`, `identity`, `sshkey`).
    pub fn csv_word(self) -> &'static str {
        match self {
            CipherType::Login => "login",
            CipherType::SecureNote => "note",
            CipherType::Card => "card",
            CipherType::Identity => "identity",
            CipherType::SshKey => "sshkey",
        }
    }

    pub fn from_csv_word(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.csv_word().eq_ignore_ascii_case(s.trim()))
    }
}

impl From<CipherType> for u8 {
    fn from(t: CipherType) -> u8 {
        match t {
            CipherType::Login => 1,
            CipherType::SecureNote => 2,
            CipherType::Card => 3,
            CipherType::Identity => 4,
            CipherType::SshKey => 5,
        }
    }
}

impl TryFrom<u8> for CipherType {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, String> {
        Ok(match n {
            1 => CipherType::Login,
            2 => CipherType::SecureNote,
            3 => CipherType::Card,
            4 => CipherType::Identity,
            5 => CipherType::SshKey,
            _ => return Err(format!("unknown item type {n}")),
        })
    }
}

/// How a login's URI is matched to a page (Bitwarden's `match`; none = the app's default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum UriMatch {
    Domain,
    Host,
    StartsWith,
    Exact,
    RegularExpression,
    Never,
}

impl UriMatch {
    pub const ALL: [UriMatch; 6] = [UriMatch::Domain, UriMatch::Host, UriMatch::StartsWith, UriMatch::Exact, UriMatch::RegularExpression, UriMatch::Never];

    pub fn label(self) -> &'static str {
        match self {
            UriMatch::Domain => "Base domain",
            UriMatch::Host => "Host",
            UriMatch::StartsWith => "Starts with",
            UriMatch::Exact => "Exact",
            UriMatch::RegularExpression => "Regular expression",
            UriMatch::Never => "Never",
        }
    }
}

impl From<UriMatch> for u8 {
    fn from(m: UriMatch) -> u8 {
        UriMatch::ALL.iter().position(|x| *x == m).unwrap_or(0) as u8
    }
}

impl TryFrom<u8> for UriMatch {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, String> {
        UriMatch::ALL.get(usize::from(n)).copied().ok_or_else(|| format!("unknown URI match {n}"))
    }
}

/// A custom field's kind (Bitwarden's `fields[].type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum FieldType {
    #[default]
    Text,
    Hidden,
    Boolean,
    Linked,
}

impl FieldType {
    pub const ALL: [FieldType; 4] = [FieldType::Text, FieldType::Hidden, FieldType::Boolean, FieldType::Linked];

    pub fn label(self) -> &'static str {
        match self {
            FieldType::Text => "Text",
            FieldType::Hidden => "Hidden",
            FieldType::Boolean => "Checkbox",
            FieldType::Linked => "Linked",
        }
    }
}

impl From<FieldType> for u8 {
    fn from(t: FieldType) -> u8 {
        FieldType::ALL.iter().position(|x| *x == t).unwrap_or(0) as u8
    }
}

impl TryFrom<u8> for FieldType {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, String> {
        FieldType::ALL.get(usize::from(n)).copied().ok_or_else(|| format!("unknown field type {n}"))
    }
}

/// The login fields a linked custom field can point at (Bitwarden's `linkedId`).
pub const LINKED_LOGIN: [(u32, &str); 2] = [(100, "Username"), (101, "Password")];

fn is_false(b: &bool) -> bool {
    !*b
}

/// `null` (as Bitwarden's exports and apps write an empty list) reads as empty.
fn null_vec<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

fn null_default<'de, D: serde::Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One vault item. `S` is `String` in the browser and [`EncString`] on the server.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub struct Cipher<S> {
    #[serde(rename = "type")]
    pub kind: CipherType,
    pub name: S,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<S>,
    #[serde(default, deserialize_with = "null_default", skip_serializing_if = "is_false")]
    pub favorite: bool,
    /// 1 = ask for the master password before showing or filling it.
    #[serde(default, deserialize_with = "null_default", skip_serializing_if = "is_zero")]
    pub reprompt: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder_id: Option<String>,
    /// An item key (newer Bitwarden apps): the fields are then encrypted under
    /// it, and it under the user or organisation key. Read, never written here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<EncString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<Login<S>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure_note: Option<SecureNote>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<Card<S>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity<S>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_key: Option<SshKey<S>>,
    #[serde(default, deserialize_with = "null_vec", skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field<S>>,
    #[serde(default, deserialize_with = "null_vec", skip_serializing_if = "Vec::is_empty")]
    pub password_history: Vec<PasswordHistory<S>>,
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub struct Login<S> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<S>,
    /// When the password last changed (RFC 3339, plaintext as in Bitwarden).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_revision_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp: Option<S>,
    #[serde(default, deserialize_with = "null_vec", skip_serializing_if = "Vec::is_empty")]
    pub uris: Vec<LoginUri<S>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autofill_on_page_load: Option<bool>,
    /// Passkeys saved by Bitwarden's apps: kept as they are (the portal shows
    /// that one exists; it does not make or use them).
    #[serde(default, deserialize_with = "null_vec", skip_serializing_if = "Vec::is_empty")]
    pub fido2_credentials: Vec<Fido2Credential<S>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub struct LoginUri<S> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<S>,
    #[serde(default, rename = "match", skip_serializing_if = "Option::is_none")]
    pub match_type: Option<UriMatch>,
    /// base64 SHA-256 of the URI, encrypted (Bitwarden's apps check it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri_checksum: Option<S>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub struct Fido2Credential<S> {
    pub credential_id: S,
    pub key_type: S,
    pub key_algorithm: S,
    pub key_curve: S,
    pub key_value: S,
    pub rp_id: S,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_handle: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<S>,
    pub counter: S,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rp_name: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_display_name: Option<S>,
    pub discoverable: S,
    pub creation_date: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct SecureNote {
    /// Always 0 (generic) in Bitwarden.
    #[serde(rename = "type", default)]
    pub kind: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub struct Card<S> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cardholder_name: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp_month: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp_year: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<S>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub struct Identity<S> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address1: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address2: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address3: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssn: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passport_number: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_number: Option<S>,
}

/// The identity fields in form order, with their labels (for forms, CSV and search).
pub const IDENTITY_FIELDS: [&str; 18] = [
    "Title",
    "First name",
    "Middle name",
    "Last name",
    "Address 1",
    "Address 2",
    "Address 3",
    "City / Town",
    "State / Province",
    "Zip / Postal code",
    "Country",
    "Company",
    "Email",
    "Phone",
    "Social Security number",
    "Username",
    "Passport number",
    "License number",
];

impl<S> Identity<S> {
    /// The fields in [`IDENTITY_FIELDS`] order.
    pub fn slots(&mut self) -> [&mut Option<S>; 18] {
        [
            &mut self.title,
            &mut self.first_name,
            &mut self.middle_name,
            &mut self.last_name,
            &mut self.address1,
            &mut self.address2,
            &mut self.address3,
            &mut self.city,
            &mut self.state,
            &mut self.postal_code,
            &mut self.country,
            &mut self.company,
            &mut self.email,
            &mut self.phone,
            &mut self.ssn,
            &mut self.username,
            &mut self.passport_number,
            &mut self.license_number,
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub struct SshKey<S> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_fingerprint: Option<S>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub struct Field<S> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<S>,
    #[serde(rename = "type", default)]
    pub kind: FieldType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_id: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub struct PasswordHistory<S> {
    pub password: S,
    pub last_used_date: String,
}

/// The plaintext item, in the browser only.
pub type CipherView = Cipher<String>;
/// The item as stored and sent: every text field an EncString type 2.
pub type EncryptedCipher = Cipher<EncString>;

// ---- mapping every text field (encrypt, decrypt) ----

fn opt<A, B, E>(v: Option<A>, f: &mut impl FnMut(A) -> Result<B, E>) -> Result<Option<B>, E> {
    v.map(f).transpose()
}

impl<A> Cipher<A> {
    /// The same item with `f` applied to every text field.
    pub fn try_map<B, E>(self, f: &mut impl FnMut(A) -> Result<B, E>) -> Result<Cipher<B>, E> {
        Ok(Cipher {
            kind: self.kind,
            name: f(self.name)?,
            notes: opt(self.notes, f)?,
            favorite: self.favorite,
            reprompt: self.reprompt,
            folder_id: self.folder_id,
            key: self.key,
            login: self.login.map(|l| l.try_map(f)).transpose()?,
            secure_note: self.secure_note,
            card: self.card.map(|c| c.try_map(f)).transpose()?,
            identity: self.identity.map(|i| i.try_map(f)).transpose()?,
            ssh_key: match self.ssh_key {
                Some(k) => Some(SshKey { private_key: opt(k.private_key, f)?, public_key: opt(k.public_key, f)?, key_fingerprint: opt(k.key_fingerprint, f)? }),
                None => None,
            },
            fields: self
                .fields
                .into_iter()
                .map(|x| Ok(Field { name: opt(x.name, f)?, value: opt(x.value, f)?, kind: x.kind, linked_id: x.linked_id }))
                .collect::<Result<_, E>>()?,
            password_history: self
                .password_history
                .into_iter()
                .map(|h| Ok(PasswordHistory { password: f(h.password)?, last_used_date: h.last_used_date }))
                .collect::<Result<_, E>>()?,
        })
    }
}

impl<A> Login<A> {
    fn try_map<B, E>(self, f: &mut impl FnMut(A) -> Result<B, E>) -> Result<Login<B>, E> {
        Ok(Login {
            username: opt(self.username, f)?,
            password: opt(self.password, f)?,
            password_revision_date: self.password_revision_date,
            totp: opt(self.totp, f)?,
            uris: self
                .uris
                .into_iter()
                .map(|u| Ok(LoginUri { uri: opt(u.uri, f)?, match_type: u.match_type, uri_checksum: opt(u.uri_checksum, f)? }))
                .collect::<Result<_, E>>()?,
            autofill_on_page_load: self.autofill_on_page_load,
            fido2_credentials: self
                .fido2_credentials
                .into_iter()
                .map(|c| {
                    Ok(Fido2Credential {
                        credential_id: f(c.credential_id)?,
                        key_type: f(c.key_type)?,
                        key_algorithm: f(c.key_algorithm)?,
                        key_curve: f(c.key_curve)?,
                        key_value: f(c.key_value)?,
                        rp_id: f(c.rp_id)?,
                        user_handle: opt(c.user_handle, f)?,
                        user_name: opt(c.user_name, f)?,
                        counter: f(c.counter)?,
                        rp_name: opt(c.rp_name, f)?,
                        user_display_name: opt(c.user_display_name, f)?,
                        discoverable: f(c.discoverable)?,
                        creation_date: c.creation_date,
                    })
                })
                .collect::<Result<_, E>>()?,
        })
    }
}

impl<A> Card<A> {
    fn try_map<B, E>(self, f: &mut impl FnMut(A) -> Result<B, E>) -> Result<Card<B>, E> {
        Ok(Card {
            cardholder_name: opt(self.cardholder_name, f)?,
            brand: opt(self.brand, f)?,
            number: opt(self.number, f)?,
            exp_month: opt(self.exp_month, f)?,
            exp_year: opt(self.exp_year, f)?,
            code: opt(self.code, f)?,
        })
    }
}

impl<A> Identity<A> {
    fn try_map<B, E>(mut self, f: &mut impl FnMut(A) -> Result<B, E>) -> Result<Identity<B>, E> {
        let mut out: Identity<B> = Identity {
            title: None,
            first_name: None,
            middle_name: None,
            last_name: None,
            address1: None,
            address2: None,
            address3: None,
            city: None,
            state: None,
            postal_code: None,
            country: None,
            company: None,
            email: None,
            phone: None,
            ssn: None,
            username: None,
            passport_number: None,
            license_number: None,
        };
        for (from, to) in self.slots().into_iter().zip(out.slots()) {
            *to = opt(from.take(), f)?;
        }
        Ok(out)
    }
}

/// base64 SHA-256 of a URI: the checksum Bitwarden's apps keep beside it.
pub fn uri_checksum(uri: &str) -> String {
    B64.encode(Sha256::digest(uri.as_bytes()))
}

impl CipherView {
    /// A new, empty item of a type, with the type's part present.
    pub fn new(kind: CipherType) -> Self {
        let mut c = Cipher {
            kind,
            name: String::new(),
            notes: None,
            favorite: false,
            reprompt: 0,
            folder_id: None,
            key: None,
            login: None,
            secure_note: None,
            card: None,
            identity: None,
            ssh_key: None,
            fields: vec![],
            password_history: vec![],
        };
        c.ensure_part();
        c
    }

    /// Makes the part of the item's type present and drops the others.
    pub fn ensure_part(&mut self) {
        let k = self.kind;
        let empty_login = || Login {
            username: None,
            password: None,
            password_revision_date: None,
            totp: None,
            uris: vec![],
            autofill_on_page_load: None,
            fido2_credentials: vec![],
        };
        self.login = if k == CipherType::Login { self.login.take().or_else(|| Some(empty_login())) } else { None };
        self.secure_note = if k == CipherType::SecureNote { Some(self.secure_note.unwrap_or_default()) } else { None };
        self.card = if k == CipherType::Card { Some(self.card.take().unwrap_or_default()) } else { None };
        self.identity = if k == CipherType::Identity { Some(self.identity.take().unwrap_or_default()) } else { None };
        self.ssh_key = if k == CipherType::SshKey { Some(self.ssh_key.take().unwrap_or_default()) } else { None };
    }

    /// Empty text becomes absent (as Bitwarden's apps send it), blank URIs
    /// and nameless, valueless fields go.
    pub fn normalised(mut self) -> Self {
        fn clean(o: &mut Option<String>) {
            if o.as_deref().is_some_and(str::is_empty) {
                *o = None;
            }
        }
        clean(&mut self.notes);
        self.ensure_part();
        if let Some(l) = &mut self.login {
            clean(&mut l.username);
            clean(&mut l.password);
            clean(&mut l.totp);
            l.uris.retain(|u| u.uri.as_deref().is_some_and(|s| !s.trim().is_empty()));
        }
        if let Some(c) = &mut self.card {
            for o in [&mut c.cardholder_name, &mut c.brand, &mut c.number, &mut c.exp_month, &mut c.exp_year, &mut c.code] {
                clean(o);
            }
        }
        if let Some(i) = &mut self.identity {
            for o in i.slots() {
                clean(o);
            }
        }
        if let Some(k) = &mut self.ssh_key {
            for o in [&mut k.private_key, &mut k.public_key, &mut k.key_fingerprint] {
                clean(o);
            }
        }
        self.fields.retain(|f| f.name.as_deref().is_some_and(|s| !s.is_empty()) || f.value.as_deref().is_some_and(|s| !s.is_empty()));
        self
    }

    /// Encrypts every text field under `key` (the user key or the
    /// organisation key); each URI gets its checksum.
    pub fn encrypt(self, key: &SymmetricKey) -> EncryptedCipher {
        let mut v = self.normalised();
        v.key = None;
        if let Some(l) = &mut v.login {
            for u in &mut l.uris {
                u.uri_checksum = u.uri.as_deref().map(uri_checksum);
            }
        }
        let out: Result<EncryptedCipher, std::convert::Infallible> = v.try_map(&mut |s: String| Ok(key.encrypt_str(&s)));
        match out {
            Ok(c) => c,
            Err(never) => match never {},
        }
    }

    /// Case-insensitive match on the name and the fields a person searches by.
    pub fn matches(&self, query: &str) -> bool {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return true;
        }
        let has = |s: Option<&String>| s.is_some_and(|s| s.to_lowercase().contains(&q));
        has(Some(&self.name))
            || self.login.as_ref().is_some_and(|l| has(l.username.as_ref()) || l.uris.iter().any(|u| has(u.uri.as_ref())))
            || self.card.as_ref().is_some_and(|c| has(c.brand.as_ref()) || has(c.cardholder_name.as_ref()))
            || self
                .identity
                .as_ref()
                .is_some_and(|i| has(i.first_name.as_ref()) || has(i.last_name.as_ref()) || has(i.email.as_ref()) || has(i.company.as_ref()))
    }

    /// The grey line under the name in a list: username, "Visa, *4242", a person's name.
    pub fn subtitle(&self) -> String {
        match self.kind {
            CipherType::Login => self.login.as_ref().and_then(|l| l.username.clone()).unwrap_or_default(),
            CipherType::Card => {
                let c = self.card.clone().unwrap_or_default();
                let last4: String = c.number.as_deref().map(|n| n.chars().filter(char::is_ascii_digit).collect::<String>()).unwrap_or_default();
                let tail = if last4.len() >= 4 { format!("*{}", &last4[last4.len() - 4..]) } else { String::new() };
                [c.brand.unwrap_or_default(), tail].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", ")
            }
            CipherType::Identity => {
                let i = self.identity.clone().unwrap_or_default();
                [i.first_name, i.last_name].into_iter().flatten().collect::<Vec<_>>().join(" ")
            }
            CipherType::SshKey => self.ssh_key.as_ref().and_then(|k| k.key_fingerprint.clone()).unwrap_or_default(),
            CipherType::SecureNote => String::new(),
        }
    }

    /// Plaintext checks before encryption, with a message per field.
    pub fn validate(&self) -> Vec<crate::FieldError> {
        use crate::FieldError;
        let mut errs = vec![];
        if self.name.trim().is_empty() {
            errs.push(FieldError::new("name", "Name is required."));
        }
        if self.name.chars().count() > MAX_NAME_CHARS {
            errs.push(FieldError::new("name", "Name can be at most 500 characters."));
        }
        if self.notes.as_deref().is_some_and(|n| n.len() > MAX_NOTES_BYTES) {
            errs.push(FieldError::new("notes", "Notes can be at most 7,000 characters."));
        }
        if let Some(t) = self.login.as_ref().and_then(|l| l.totp.as_deref()).filter(|t| !t.trim().is_empty())
            && crate::totp::Totp::parse(t).is_err()
        {
            errs.push(FieldError::new("totp", "This authenticator key cannot be read: paste the key (letters A–Z and 2–7) or an otpauth:// link."));
        }
        if self.fields.iter().any(|f| f.value.as_deref().is_some_and(|v| v.len() > MAX_FIELD_BYTES)) {
            errs.push(FieldError::new("fields", "A custom field's value can be at most 3,500 characters."));
        }
        errs
    }

    /// Records what an edit replaced, as Bitwarden's apps do: a changed
    /// password (and a changed hidden field, as `name: value`) goes to the
    /// front of the history, which keeps the newest five.
    pub fn record_history(&mut self, before: &CipherView, now_rfc3339: &str) {
        let mut old: Vec<String> = vec![];
        if let (Some(l), Some(b)) = (&mut self.login, &before.login)
            && let Some(prev) = b.password.as_deref().filter(|p| !p.is_empty())
            && l.password.as_deref() != Some(prev)
        {
            old.push(prev.to_string());
            l.password_revision_date = Some(now_rfc3339.to_string());
        }
        for f in before.fields.iter().filter(|f| f.kind == FieldType::Hidden) {
            let (Some(name), Some(value)) = (f.name.as_deref(), f.value.as_deref()) else { continue };
            if value.is_empty() {
                continue;
            }
            let still = self.fields.iter().any(|n| n.kind == FieldType::Hidden && n.name.as_deref() == Some(name) && n.value.as_deref() == Some(value));
            if !still {
                old.push(format!("{name}: {value}"));
            }
        }
        for p in old.into_iter().rev() {
            self.password_history.insert(0, PasswordHistory { password: p, last_used_date: now_rfc3339.to_string() });
        }
        self.password_history.truncate(MAX_PASSWORD_HISTORY);
    }
}

/// Bitwarden keeps the newest five old passwords.
pub const MAX_PASSWORD_HISTORY: usize = 5;
/// Plaintext limits that keep the encrypted fields inside Bitwarden's server
/// limits (name 1,000, notes 10,000, field value 5,000 encrypted characters).
pub const MAX_NAME_CHARS: usize = 500;
pub const MAX_NOTES_BYTES: usize = 7_000;
pub const MAX_FIELD_BYTES: usize = 3_500;

impl EncryptedCipher {
    /// Decrypts every text field with `key`, or with the item key inside it.
    pub fn decrypt(self, key: &SymmetricKey) -> Result<CipherView, CryptoError> {
        let item_key = match &self.key {
            Some(k) => Some(SymmetricKey::from_bytes(&key.decrypt(k)?)?),
            None => None,
        };
        let k = item_key.as_ref().unwrap_or(key);
        let mut v = self.try_map(&mut |e: EncString| k.decrypt_str(&e))?;
        v.key = None;
        // A URI whose checksum does not match was altered: it is dropped, as
        // Bitwarden's apps drop it. The checksum itself is made again on encrypt.
        if let Some(l) = &mut v.login {
            for u in &mut l.uris {
                if u.uri_checksum.take().is_some_and(|c| u.uri.as_deref().map(uri_checksum).as_deref() != Some(c.as_str())) {
                    u.uri = None;
                }
            }
            l.uris.retain(|u| u.uri.is_some());
        }
        Ok(v)
    }

    /// The stored JSON (canonical: unknown members dropped, absent fields left out).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> CipherView {
        let mut c = CipherView::new(CipherType::Login);
        c.name = "GitHub".into();
        c.notes = Some("team account".into());
        c.favorite = true;
        c.reprompt = 1;
        let l = c.login.as_mut().unwrap();
        l.username = Some("ann".into());
        l.password = Some("hunter2".into());
        l.totp = Some("JBSWY3DPEHPK3PXP".into());
        l.uris.push(LoginUri { uri: Some("https://github.com".into()), match_type: Some(UriMatch::Host), uri_checksum: None });
        c.fields.push(Field { name: Some("PIN".into()), value: Some("1234".into()), kind: FieldType::Hidden, linked_id: None });
        c.fields.push(Field { name: Some("user".into()), value: None, kind: FieldType::Linked, linked_id: Some(100) });
        c
    }

    #[test]
    fn every_text_field_is_its_own_enc_string_and_comes_back() {
        let key = SymmetricKey::generate();
        let enc = full().encrypt(&key);
        let json = enc.to_json();
        assert!(!json.contains("hunter2") && !json.contains("GitHub") && !json.contains("1234"));
        // Bitwarden's wire names and numbers.
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["type"], 1);
        assert_eq!(v["login"]["uris"][0]["match"], 1);
        assert_eq!(v["fields"][0]["type"], 1);
        assert_eq!(v["fields"][1]["linkedId"], 100);
        assert!(v["login"]["password"].as_str().unwrap().starts_with("2."));
        assert!(v["login"]["uris"][0]["uriChecksum"].as_str().unwrap().starts_with("2."));
        let back: EncryptedCipher = serde_json::from_str(&json).unwrap();
        assert_eq!(back.decrypt(&key).unwrap(), full());
        assert!(serde_json::from_str::<EncryptedCipher>(&json).unwrap().decrypt(&SymmetricKey::generate()).is_err());
    }

    #[test]
    fn the_server_refuses_plaintext_in_a_field() {
        let key = SymmetricKey::generate();
        let mut v: serde_json::Value = serde_json::from_str(&full().encrypt(&key).to_json()).unwrap();
        v["login"]["password"] = "hunter2".into();
        assert!(serde_json::from_value::<EncryptedCipher>(v.clone()).is_err());
        v["login"]["password"] = serde_json::Value::Null;
        v["type"] = 9.into();
        assert!(serde_json::from_value::<EncryptedCipher>(v).is_err());
    }

    #[test]
    fn a_uri_whose_checksum_does_not_match_is_dropped() {
        let key = SymmetricKey::generate();
        let mut enc = full().encrypt(&key);
        let other = key.encrypt_str(&uri_checksum("https://evil.example"));
        enc.login.as_mut().unwrap().uris[0].uri_checksum = Some(other);
        assert!(enc.clone().decrypt(&key).unwrap().login.unwrap().uris.is_empty());
        enc.login.as_mut().unwrap().uris[0].uri_checksum = None;
        assert_eq!(enc.decrypt(&key).unwrap().login.unwrap().uris.len(), 1, "no checksum: kept (older apps wrote none)");
    }

    #[test]
    fn an_item_key_is_followed() {
        let (user, item) = (SymmetricKey::generate(), SymmetricKey::generate());
        let mut enc = full().encrypt(&item);
        enc.key = Some(user.encrypt(&item.to_bytes()));
        assert_eq!(enc.decrypt(&user).unwrap().name, "GitHub");
    }

    #[test]
    fn every_type_round_trips() {
        let key = SymmetricKey::generate();
        for kind in CipherType::ALL {
            let mut c = CipherView::new(kind);
            c.name = kind.label().into();
            if let Some(card) = &mut c.card {
                card.number = Some("4242 4242 4242 4242".into());
                card.brand = Some("Visa".into());
            }
            if let Some(i) = &mut c.identity {
                for (n, slot) in i.slots().into_iter().enumerate() {
                    *slot = Some(format!("v{n}"));
                }
            }
            if let Some(k) = &mut c.ssh_key {
                k.private_key = Some("-----BEGIN OPENSSH PRIVATE KEY-----".into());
            }
            let back = c.clone().encrypt(&key).decrypt(&key).unwrap();
            assert_eq!(back, c, "{kind:?}");
        }
        let mut card = CipherView::new(CipherType::Card);
        card.card = Some(Card { brand: Some("Visa".into()), number: Some("4242424242424242".into()), ..Default::default() });
        assert_eq!(card.subtitle(), "Visa, *4242");
    }

    #[test]
    fn history_keeps_the_newest_five_replaced_secrets() {
        let mut item = full();
        for n in 0..7 {
            let before = item.clone();
            item.login.as_mut().unwrap().password = Some(format!("p{n}"));
            item.record_history(&before, &format!("2026-01-0{}T00:00:00Z", n + 1));
        }
        let h: Vec<&str> = item.password_history.iter().map(|h| h.password.as_str()).collect();
        assert_eq!(h, ["p5", "p4", "p3", "p2", "p1"]);
        let before = item.clone();
        item.fields[0].value = Some("9999".into());
        item.record_history(&before, "2026-02-01T00:00:00Z");
        assert_eq!(item.password_history[0].password, "PIN: 1234");
        let before = item.clone();
        item.name = "renamed".into();
        item.record_history(&before, "2026-02-02T00:00:00Z");
        assert_eq!(item.password_history[0].password, "PIN: 1234", "no secret changed");
    }

    #[test]
    fn validation_and_search() {
        let mut c = full();
        assert!(c.validate().is_empty());
        assert!(c.matches("git") && c.matches("ANN") && c.matches("github.com") && !c.matches("gitlab"));
        c.name = " ".into();
        c.login.as_mut().unwrap().totp = Some("not a key!".into());
        let fields: Vec<_> = c.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "totp"]);
    }
}
