//! Import and export of vault items, in the browser: the plaintext only ever
//! exists there. Formats:
//! - **Bitwarden JSON** (individual and organisation exports, every item type,
//!   custom fields, TOTP, password history, favourites, folders and
//!   collections), read and written losslessly;
//! - **Bitwarden's password-protected JSON** (the file encrypted under a key
//!   derived from a file password with PBKDF2-SHA256 or Argon2id);
//! - **Bitwarden CSV** (organisation `collections,type,name,notes,fields,
//!   reprompt,login_uri,login_username,login_password,login_totp` and
//!   individual with `folder,favorite`; logins and secure notes, as Bitwarden's
//!   CSV holds), a **generic CSV** (`name,url,username,password,notes,totp`)
//!   and **LastPass's CSV export** (`url,username,password,totp,extra,name,
//!   grouping,fav`; secure notes have the URL `http://sn`). Columns are found by
//!   their header, in any order.
//!
//! One bad item never sinks a file: it is listed in [`Parsed::skipped`] with
//! the reason, and the rest import.

use crate::bitwarden::cipher::{CipherType, CipherView, Field, FieldType, LoginUri};
use crate::bitwarden::{EncString, Kdf, MasterKey, SymmetricKey};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use serde_json::{Map, Value, json};

/// Most items one import takes (one transaction on the server).
pub const MAX_IMPORT_ITEMS: usize = 5_000;
/// Largest file the import reads.
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;

/// The header of a CSV export, Bitwarden's organisation CSV.
pub const CSV_HEADER: [&str; 10] =
    ["collections", "type", "name", "notes", "fields", "reprompt", "login_uri", "login_username", "login_password", "login_totp"];

/// Bitwarden's individual CSV: the folder first, then the favourite mark.
pub const PERSONAL_CSV_HEADER: [&str; 11] =
    ["folder", "favorite", "type", "name", "notes", "fields", "reprompt", "login_uri", "login_username", "login_password", "login_totp"];

/// What an export's names are: an organisation's collections (an item may be
/// in several) or a person's folders (at most one each), as Bitwarden's
/// organisation and individual exports have them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Collections,
    Folders,
}

/// One item read from a file, with the names of its collections (or folder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedItem {
    pub item: CipherView,
    pub collections: Vec<String>,
}

/// An item of the file that is not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// "Line 4" (CSV) or "Item 2" (JSON), with the item's name when it has one.
    pub at: String,
    pub reason: String,
}

/// What a file holds: the items that import and the ones that do not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parsed {
    pub items: Vec<ImportedItem>,
    pub skipped: Vec<Skipped>,
}

/// Why a whole file cannot be imported. Nothing is imported then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("The file is empty.")]
    Empty,
    #[error("The file is larger than 10 MB.")]
    TooLarge,
    #[error("This CSV file has no header line naming its columns (it needs a \"name\" or \"url\" column).")]
    NoHeader,
    #[error("The file has {0} items; one import takes at most 5,000.")]
    TooMany(usize),
    #[error("This is not a Bitwarden JSON export (it cannot be read near line {0}).")]
    Json(u64),
    #[error("This export is protected by a file password: enter it to import.")]
    NeedsPassword,
    #[error("The file password is not right.")]
    WrongPassword,
    #[error("The export's key settings cannot be used: {0}")]
    Kdf(String),
    #[error("This export is encrypted with a Bitwarden account's key, which only that account can open: export it again with a file password, or unencrypted.")]
    AccountEncrypted,
    #[error("No item in the file can be imported.")]
    NothingToImport,
}

fn split_list(s: &str, seps: &[char]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split(seps) {
        let p = part.trim();
        if !p.is_empty() && !out.iter().any(|o| o == p) {
            out.push(p.to_string());
        }
    }
    out
}

fn some(s: String) -> Option<String> {
    if s.is_empty() { None } else { Some(s) }
}

fn finish(parsed: Parsed) -> Result<Parsed, ImportError> {
    if parsed.items.is_empty() && parsed.skipped.is_empty() {
        return Err(ImportError::Empty);
    }
    if parsed.items.is_empty() {
        return Err(ImportError::NothingToImport);
    }
    Ok(parsed)
}

// ------------------------------------------------------------------ CSV

/// Reads a Bitwarden, generic or LastPass CSV file.
pub fn parse_csv(text: &str) -> Result<Parsed, ImportError> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge);
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = rdr.headers().map_err(|_| ImportError::NoHeader)?.iter().map(|h| h.trim().to_lowercase()).collect();
    let col = |names: &[&str]| names.iter().find_map(|n| header.iter().position(|h| h == n));
    let name_col = col(&["name", "title"]);
    let uri_col = col(&["login_uri", "url", "uri", "website"]);
    if name_col.is_none() && uri_col.is_none() {
        return Err(ImportError::NoHeader);
    }
    let lastpass = col(&["grouping"]).is_some() || col(&["extra"]).is_some();
    let coll_col = col(&["collections", "folder", "grouping"]);
    let (type_col, notes_col, fields_col) = (col(&["type"]), col(&["notes", "extra", "note"]), col(&["fields"]));
    let (user_col, pass_col, totp_col) =
        (col(&["login_username", "username", "user", "login"]), col(&["login_password", "password"]), col(&["login_totp", "totp", "otp"]));
    let (fav_col, reprompt_col) = (col(&["favorite", "fav"]), col(&["reprompt"]));
    let mut out = Parsed::default();
    let mut seen = 0usize;
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                out.skipped.push(Skipped { at: format!("Line {line}"), reason: "this line cannot be read as CSV.".into() });
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        seen += 1;
        if seen > MAX_IMPORT_ITEMS {
            continue; // only counted, for the message
        }
        let get = |c: Option<usize>| c.and_then(|i| rec.get(i)).unwrap_or("").to_string();
        let url = get(uri_col);
        let note_by_url = lastpass && url.trim() == "http://sn";
        let kind = match get(type_col).trim().to_lowercase().as_str() {
            _ if note_by_url => CipherType::SecureNote,
            "" | "login" => CipherType::Login,
            "note" | "securenote" | "secure note" => CipherType::SecureNote,
            other => {
                let reason = format!("the type \"{other}\" is not in CSV files (only login and note): use a JSON export for cards, identities and SSH keys.");
                out.skipped.push(Skipped { at: format!("Line {line}"), reason });
                continue;
            }
        };
        let mut item = CipherView::new(kind);
        item.name = get(name_col).trim().to_string();
        if item.name.is_empty() && kind == CipherType::Login {
            item.name = url.trim().to_string(); // a generic CSV may have only a URL
        }
        item.notes = some(get(notes_col));
        item.favorite = get(fav_col).trim() == "1";
        item.reprompt = u8::from(get(reprompt_col).trim() == "1");
        item.fields = get(fields_col)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let (n, v) = l.split_once(": ").unwrap_or((l, ""));
                Field { name: some(n.to_string()), value: some(v.to_string()), kind: FieldType::Text, linked_id: None }
            })
            .collect();
        if let Some(l) = &mut item.login {
            l.username = some(get(user_col));
            l.password = some(get(pass_col));
            l.totp = some(get(totp_col));
            l.uris = split_list(&url, &[',', '\n']).into_iter().map(|u| LoginUri { uri: Some(u), match_type: None, uri_checksum: None }).collect();
        }
        let item = item.normalised();
        if let Some(e) = item.validate().into_iter().next() {
            out.skipped.push(Skipped { at: at_named("Line", line as usize, &item.name), reason: e.message });
            continue;
        }
        let groups = get(coll_col);
        let collections = if lastpass { split_list(&groups.replace('\\', "/"), &[',']) } else { split_list(&groups, &[',', '\n']) };
        out.items.push(ImportedItem { item, collections });
    }
    if seen > MAX_IMPORT_ITEMS {
        return Err(ImportError::TooMany(seen));
    }
    finish(out)
}

fn at_named(what: &str, n: usize, name: &str) -> String {
    if name.trim().is_empty() { format!("{what} {n}") } else { format!("{what} {n} ({})", name.trim()) }
}

/// Writes a Bitwarden organisation or individual CSV. CSV holds logins and
/// secure notes only (as Bitwarden's); the other items are counted in the
/// second value.
pub fn to_csv(items: &[ImportedItem], grouping: Grouping) -> (String, usize) {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let mut left_out = 0;
    let folders = grouping == Grouping::Folders;
    // Writing to a Vec cannot fail.
    let _ = if folders { w.write_record(PERSONAL_CSV_HEADER) } else { w.write_record(CSV_HEADER) };
    for it in items {
        let i = &it.item;
        if !matches!(i.kind, CipherType::Login | CipherType::SecureNote) {
            left_out += 1;
            continue;
        }
        let l = i.login.clone();
        let text = |o: Option<String>| o.unwrap_or_default();
        let uris = l.as_ref().map(|l| l.uris.iter().filter_map(|u| u.uri.clone()).collect::<Vec<_>>().join(",")).unwrap_or_default();
        let fields: Vec<String> = i.fields.iter().map(|f| format!("{}: {}", text(f.name.clone()), text(f.value.clone()))).collect();
        let group = if folders { it.collections.first().cloned().unwrap_or_default() } else { it.collections.join(",") };
        let lead: &[&str] = if folders { &[&group, if i.favorite { "1" } else { "" }] } else { &[&group] };
        let _ = w.write_record(lead.iter().copied().chain([
            i.kind.csv_word(),
            &i.name,
            &text(i.notes.clone()),
            &fields.join("\n"),
            if i.reprompt == 1 { "1" } else { "0" },
            &uris,
            &text(l.as_ref().and_then(|l| l.username.clone())),
            &text(l.as_ref().and_then(|l| l.password.clone())),
            &text(l.as_ref().and_then(|l| l.totp.clone())),
        ]));
    }
    (String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default(), left_out)
}

// ------------------------------------------------------------------ JSON

fn item_of(n: usize, mut v: Value, names: &std::collections::HashMap<String, String>) -> Result<ImportedItem, Skipped> {
    let name = v.get("name").and_then(Value::as_str).unwrap_or("").to_string();
    let at = at_named("Item", n, &name);
    let Some(obj) = v.as_object_mut() else {
        return Err(Skipped { at, reason: "this is not an item.".into() });
    };
    if obj.get("name").is_none_or(Value::is_null) {
        obj.insert("name".into(), Value::String(String::new()));
    }
    let mut ids: Vec<String> =
        obj.get("collectionIds").and_then(Value::as_array).map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default();
    ids.extend(obj.get("folderId").and_then(Value::as_str).map(String::from));
    let item: CipherView = serde_json::from_value(v).map_err(|e| Skipped { at: at.clone(), reason: format!("it cannot be read ({e}).") })?;
    let mut item = item.normalised();
    item.folder_id = None;
    item.key = None;
    if let Some(e) = item.validate().into_iter().next() {
        return Err(Skipped { at, reason: e.message });
    }
    let mut collections: Vec<String> = vec![];
    for id in ids {
        if let Some(name) = names.get(&id).filter(|n| !collections.contains(*n)) {
            collections.push(name.clone());
        }
    }
    Ok(ImportedItem { item, collections })
}

/// Reads a Bitwarden JSON export; a password-protected one needs `password`.
pub fn parse_json(text: &str, password: Option<&str>) -> Result<Parsed, ImportError> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge);
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let doc: Value = serde_json::from_str(text).map_err(|e| ImportError::Json(e.line() as u64))?;
    if doc.get("encrypted").and_then(Value::as_bool) == Some(true) {
        if doc.get("passwordProtected").and_then(Value::as_bool) != Some(true) {
            return Err(ImportError::AccountEncrypted);
        }
        let inner = open_protected(&doc, password.ok_or(ImportError::NeedsPassword)?)?;
        return parse_json(&inner, None);
    }
    let str_of = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(String::from);
    let mut names = std::collections::HashMap::new();
    for list in ["collections", "folders"] {
        for c in doc.get(list).and_then(Value::as_array).into_iter().flatten() {
            if let (Some(id), Some(name)) = (str_of(c, "id"), str_of(c, "name")) {
                names.insert(id, name);
            }
        }
    }
    let items = doc.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
    if items.len() > MAX_IMPORT_ITEMS {
        return Err(ImportError::TooMany(items.len()));
    }
    let mut out = Parsed::default();
    for (n, v) in items.into_iter().enumerate() {
        match item_of(n + 1, v, &names) {
            Ok(i) => out.items.push(i),
            Err(s) => out.skipped.push(s),
        }
    }
    finish(out)
}

/// Writes a Bitwarden JSON export (unencrypted): every field of every item,
/// the collections (an organisation's) or folders (a person's) named.
pub fn to_json(items: &[ImportedItem], grouping: Grouping) -> String {
    let folders = grouping == Grouping::Folders;
    let mut names: Vec<String> = items.iter().flat_map(|i| i.collections.iter().take(if folders { 1 } else { usize::MAX }).cloned()).collect();
    names.sort();
    names.dedup();
    let prefix = if folders { "folder" } else { "collection" };
    let id_of = |n: &str| format!("{prefix}-{}", names.iter().position(|m| m == n).unwrap_or(0) + 1);
    let out: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(n, it)| {
            let mut v = serde_json::to_value(&it.item).unwrap_or(Value::Null);
            if let Some(o) = v.as_object_mut() {
                o.insert("id".into(), Value::String(format!("item-{}", n + 1)));
                if folders {
                    o.insert("folderId".into(), it.collections.first().map(|c| Value::String(id_of(c))).unwrap_or(Value::Null));
                } else {
                    o.insert("collectionIds".into(), Value::Array(it.collections.iter().map(|c| Value::String(id_of(c))).collect()));
                }
            }
            v
        })
        .collect();
    let named: Vec<Value> = names.iter().map(|n| json!({ "id": id_of(n), "name": n })).collect();
    let mut doc = serde_json::Map::new();
    doc.insert("encrypted".into(), Value::Bool(false));
    doc.insert((if folders { "folders" } else { "collections" }).into(), Value::Array(named));
    doc.insert("items".into(), Value::Array(out));
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn file_key(password: &str, salt: &str, kdf: Kdf) -> Result<SymmetricKey, ImportError> {
    let master = MasterKey::derive_with_salt(password.as_bytes(), salt.as_bytes(), kdf).map_err(|e| ImportError::Kdf(e.to_string()))?;
    Ok(master.stretch())
}

fn open_protected(doc: &Value, password: &str) -> Result<String, ImportError> {
    let num = |k: &str| doc.get(k).and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok());
    let text = |k: &str| doc.get(k).and_then(Value::as_str).ok_or(ImportError::Json(1));
    let kind = num("kdfType").unwrap_or(0);
    let kdf =
        Kdf::from_wire(kind as u8, num("kdfIterations").unwrap_or(0), num("kdfMemory"), num("kdfParallelism")).map_err(|e| ImportError::Kdf(e.to_string()))?;
    // The file's shape is checked before the (costly) key derivation.
    let check: EncString = text("encKeyValidation_DO_NOT_EDIT")?.parse().map_err(|_| ImportError::Json(1))?;
    let data: EncString = text("data")?.parse().map_err(|_| ImportError::Json(1))?;
    let key = file_key(password, text("salt")?, kdf)?;
    key.decrypt(&check).map_err(|_| ImportError::WrongPassword)?;
    key.decrypt_str(&data).map_err(|_| ImportError::WrongPassword)
}

/// Bitwarden's password-protected export of `items`: the JSON export
/// encrypted under a key derived from `password` and a random salt.
pub fn to_protected_json(items: &[ImportedItem], grouping: Grouping, password: &str, kdf: Kdf) -> Result<String, ImportError> {
    let (mut salt, mut guid) = ([0u8; 16], [0u8; 16]);
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut salt);
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut guid);
    let salt = B64.encode(salt);
    let key = file_key(password, &salt, kdf)?;
    let (kind, iterations, memory, parallelism) = kdf.to_wire();
    let mut doc = Map::new();
    doc.insert("encrypted".into(), true.into());
    doc.insert("passwordProtected".into(), true.into());
    doc.insert("salt".into(), salt.into());
    doc.insert("kdfType".into(), kind.into());
    doc.insert("kdfIterations".into(), iterations.into());
    doc.insert("kdfMemory".into(), memory.into());
    doc.insert("kdfParallelism".into(), parallelism.into());
    doc.insert("encKeyValidation_DO_NOT_EDIT".into(), key.encrypt_str(&uuid::Builder::from_random_bytes(guid).into_uuid().to_string()).to_string().into());
    doc.insert("data".into(), key.encrypt_str(&to_json(items, grouping)).to_string().into());
    Ok(serde_json::to_string_pretty(&Value::Object(doc)).unwrap_or_default())
}

/// Is this a password-protected export (so the page asks for its password)?
pub fn needs_password(text: &str) -> bool {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    t.starts_with('{')
        && t.contains("\"passwordProtected\"")
        && serde_json::from_str::<Value>(t).ok().and_then(|d| d.get("passwordProtected")?.as_bool()) == Some(true)
}

/// Reads any supported file: JSON when the name says so or the text starts with `{`.
pub fn parse_file(file_name: &str, text: &str, password: Option<&str>) -> Result<Parsed, ImportError> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if file_name.to_lowercase().ends_with(".json") || t.starts_with('{') { parse_json(text, password) } else { parse_csv(text) }
}

#[cfg(test)]
mod tests;
