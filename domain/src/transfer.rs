//! Import and export of an organisation's vault items, in the browser: the
//! plaintext only ever exists there. The file format is Bitwarden's
//! organisation CSV (`collections,type,name,notes,fields,reprompt,login_uri,
//! login_username,login_password,login_totp`), so a client moving from
//! Bitwarden, or to it, keeps their data. Columns are found by their header,
//! in any order; unknown columns are ignored; `folder` (the individual-vault
//! export) is read like `collections`.

use crate::vault::{ItemData, ItemKind};

/// Most items one import takes (one transaction on the server).
pub const MAX_IMPORT_ITEMS: usize = 5_000;
/// Largest file the import reads.
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;

/// The header of an export, Bitwarden's organisation CSV.
pub const CSV_HEADER: [&str; 10] =
    ["collections", "type", "name", "notes", "fields", "reprompt", "login_uri", "login_username", "login_password", "login_totp"];

/// One item read from a file, with the names of the collections it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedItem {
    pub item: ItemData,
    pub collections: Vec<String>,
}

/// Why a file cannot be imported. Nothing is imported then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("The file is empty.")]
    Empty,
    #[error("The file is larger than 10 MB.")]
    TooLarge,
    #[error("This is not a Bitwarden CSV export: the first line must name the columns, with a \"name\" column.")]
    NoHeader,
    #[error("The file has {0} items; one import takes at most 5,000.")]
    TooMany(usize),
    #[error("Line {line}: {message}")]
    Line { line: u64, message: String },
    #[error("This is not a Bitwarden JSON export (it cannot be read near line {0}).")]
    Json(u64),
    #[error("This is an encrypted export: export it again from Bitwarden as .json without a password.")]
    Encrypted,
    #[error("Item {n}: {message}")]
    Item { n: usize, message: String },
}

fn split_list(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split([',', '\n']) {
        let p = part.trim();
        if !p.is_empty() && !out.iter().any(|o| o == p) {
            out.push(p.to_string());
        }
    }
    out
}

/// Reads a Bitwarden CSV export. Every line is checked before anything is
/// returned: one bad line stops the whole import, with its line number.
pub fn parse_csv(text: &str) -> Result<Vec<ImportedItem>, ImportError> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge);
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = rdr.headers().map_err(|_| ImportError::NoHeader)?.iter().map(|h| h.trim().to_lowercase()).collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let name_col = col("name").ok_or(ImportError::NoHeader)?;
    let (coll_col, type_col, notes_col) = (col("collections").or(col("folder")), col("type"), col("notes"));
    let (uri_col, user_col, pass_col) = (col("login_uri"), col("login_username"), col("login_password"));
    let mut out = Vec::new();
    let mut seen = 0usize;
    for rec in rdr.records() {
        let rec =
            rec.map_err(|e| ImportError::Line { line: e.position().map(|p| p.line()).unwrap_or(0), message: "this line cannot be read as CSV.".into() })?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        seen += 1;
        if seen > MAX_IMPORT_ITEMS {
            continue; // only counted, for the message
        }
        let get = |c: Option<usize>| c.and_then(|i| rec.get(i)).unwrap_or("").to_string();
        let kind = match get(type_col).trim().to_lowercase().as_str() {
            "" | "login" => ItemKind::Login,
            "note" | "securenote" | "secure note" => ItemKind::SecureNote,
            other => {
                return Err(ImportError::Line { line, message: format!("the type \"{other}\" cannot be imported (only login and note).") });
            }
        };
        let item = ItemData {
            kind,
            name: get(Some(name_col)).trim().to_string(),
            username: get(user_col),
            password: get(pass_col),
            uris: split_list(&get(uri_col)),
            notes: get(notes_col),
        };
        if let Some(e) = item.validate().into_iter().next() {
            return Err(ImportError::Line { line, message: e.message });
        }
        out.push(ImportedItem { item, collections: split_list(&get(coll_col)) });
    }
    if seen > MAX_IMPORT_ITEMS {
        return Err(ImportError::TooMany(seen));
    }
    if out.is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(out)
}

/// Writes items as a Bitwarden organisation CSV, which `parse_csv` (and
/// Bitwarden) read back to the same items.
pub fn to_csv(items: &[ImportedItem]) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(CSV_HEADER);
    for it in items {
        let i = &it.item;
        let kind = match i.kind {
            ItemKind::Login => "login",
            ItemKind::SecureNote => "note",
        };
        let (uris, user, pass) = match i.kind {
            ItemKind::Login => (i.uris.join(","), i.username.as_str(), i.password.as_str()),
            ItemKind::SecureNote => (String::new(), "", ""),
        };
        let _ = w.write_record([it.collections.join(",").as_str(), kind, &i.name, &i.notes, "", "0", &uris, user, pass, ""]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

// ------------------------------------------------------------------ JSON

#[derive(serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct JsonExport {
    #[serde(default)]
    encrypted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    folders: Option<Vec<JsonNamed>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    collections: Option<Vec<JsonNamed>>,
    #[serde(default)]
    items: Vec<JsonItem>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct JsonNamed {
    id: String,
    name: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonItem {
    #[serde(rename = "type")]
    kind: u8,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    login: Option<JsonLogin>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secure_note: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    folder_id: Option<String>,
    #[serde(default)]
    collection_ids: Option<Vec<String>>,
}

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct JsonLogin {
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    uris: Option<Vec<JsonUri>>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct JsonUri {
    uri: Option<String>,
}

/// Reads a Bitwarden JSON export (unencrypted; organisation or individual).
pub fn parse_json(text: &str) -> Result<Vec<ImportedItem>, ImportError> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge);
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let export: JsonExport = serde_json::from_str(text).map_err(|e| ImportError::Json(e.line() as u64))?;
    if export.encrypted {
        return Err(ImportError::Encrypted);
    }
    if export.items.len() > MAX_IMPORT_ITEMS {
        return Err(ImportError::TooMany(export.items.len()));
    }
    let names: std::collections::HashMap<String, String> = export.collections.into_iter().chain(export.folders).flatten().map(|c| (c.id, c.name)).collect();
    let mut out = Vec::with_capacity(export.items.len());
    for (n, j) in export.items.into_iter().enumerate() {
        let kind = match j.kind {
            1 => ItemKind::Login,
            2 => ItemKind::SecureNote,
            _ => return Err(ImportError::Item { n: n + 1, message: "only logins and secure notes can be imported.".into() }),
        };
        let login = j.login.unwrap_or_default();
        let item = ItemData {
            kind,
            name: j.name.unwrap_or_default().trim().to_string(),
            username: login.username.unwrap_or_default(),
            password: login.password.unwrap_or_default(),
            uris: login.uris.unwrap_or_default().into_iter().filter_map(|u| u.uri).filter(|u| !u.trim().is_empty()).collect(),
            notes: j.notes.unwrap_or_default(),
        };
        if let Some(e) = item.validate().into_iter().next() {
            return Err(ImportError::Item { n: n + 1, message: e.message });
        }
        let mut collections = vec![];
        for id in j.collection_ids.unwrap_or_default().into_iter().chain(j.folder_id) {
            if let Some(name) = names.get(&id).filter(|n| !collections.contains(*n)) {
                collections.push(name.clone());
            }
        }
        out.push(ImportedItem { item, collections });
    }
    if out.is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(out)
}

/// Writes items as a Bitwarden organisation JSON export (unencrypted).
pub fn to_json(items: &[ImportedItem]) -> String {
    let mut names: Vec<String> = items.iter().flat_map(|i| i.collections.iter().cloned()).collect();
    names.sort();
    names.dedup();
    let id_of = |n: &str| format!("collection-{}", names.iter().position(|m| m == n).unwrap_or(0) + 1);
    let export = JsonExport {
        encrypted: false,
        folders: None,
        collections: Some(names.iter().map(|n| JsonNamed { id: id_of(n), name: n.clone() }).collect()),
        items: items
            .iter()
            .map(|it| {
                let i = &it.item;
                let login = i.kind == ItemKind::Login;
                JsonItem {
                    kind: if login { 1 } else { 2 },
                    name: Some(i.name.clone()),
                    notes: Some(i.notes.clone()).filter(|n| !n.is_empty()),
                    login: login.then(|| JsonLogin {
                        username: Some(i.username.clone()),
                        password: Some(i.password.clone()),
                        uris: Some(i.uris.iter().map(|u| JsonUri { uri: Some(u.clone()) }).collect()),
                    }),
                    secure_note: (!login).then(|| serde_json::json!({ "type": 0 })),
                    folder_id: None,
                    collection_ids: Some(it.collections.iter().map(|c| id_of(c)).collect()),
                }
            })
            .collect(),
    };
    serde_json::to_string_pretty(&export).unwrap_or_default()
}

/// Reads either format: JSON when the file name says so or the text starts with `{`.
pub fn parse_file(file_name: &str, text: &str) -> Result<Vec<ImportedItem>, ImportError> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if file_name.to_lowercase().ends_with(".json") || t.starts_with('{') { parse_json(text) } else { parse_csv(text) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(name: &str, user: &str, pass: &str, uris: &[&str], colls: &[&str]) -> ImportedItem {
        ImportedItem {
            item: ItemData {
                kind: ItemKind::Login,
                name: name.into(),
                username: user.into(),
                password: pass.into(),
                uris: uris.iter().map(|s| s.to_string()).collect(),
                notes: String::new(),
            },
            collections: colls.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn reads_a_bitwarden_organisation_export() {
        let csv = "collections,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\r\n\
                   \"Finance,IT\",login,Bank,,,0,https://bank.example,alice,\"p,w\"\"d\",\r\n\
                   ,note,Wi-Fi,\"line 1\nline 2\",,0,,,,\r\n";
        let items = parse_csv(csv).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0], login("Bank", "alice", "p,w\"d", &["https://bank.example"], &["Finance", "IT"]));
        assert_eq!(items[1].item.kind, ItemKind::SecureNote);
        assert_eq!(items[1].item.notes, "line 1\nline 2");
        assert!(items[1].collections.is_empty());
    }

    #[test]
    fn columns_by_header_in_any_order_and_the_individual_folder_column() {
        let csv = "\u{feff}login_password,name,folder,login_uri\npw,Mail,Personal,\"https://a.example,https://b.example\"\n\n";
        let items = parse_csv(csv).unwrap();
        assert_eq!(items, vec![login("Mail", "", "pw", &["https://a.example", "https://b.example"], &["Personal"])]);
    }

    #[test]
    fn a_bad_line_stops_the_import_with_its_number() {
        let csv = "name,type\nGood,login\n,login\n";
        assert_eq!(parse_csv(csv), Err(ImportError::Line { line: 3, message: "Name is required.".into() }));
        let csv = "name,type\nGood,login\nCard,card\n";
        assert!(matches!(parse_csv(csv), Err(ImportError::Line { line: 3, message }) if message.contains("\"card\"")));
        assert_eq!(parse_csv("username,password\na,b\n"), Err(ImportError::NoHeader));
        assert_eq!(parse_csv("  \n"), Err(ImportError::Empty));
        assert_eq!(parse_csv("name\n\n"), Err(ImportError::Empty));
    }

    #[test]
    fn limits() {
        let mut csv = String::from("name\n");
        for i in 0..=MAX_IMPORT_ITEMS {
            csv.push_str(&format!("item {i}\n"));
        }
        assert_eq!(parse_csv(&csv), Err(ImportError::TooMany(MAX_IMPORT_ITEMS + 1)));
        let big = "name\n".to_string() + &"x".repeat(MAX_IMPORT_BYTES);
        assert_eq!(parse_csv(&big), Err(ImportError::TooLarge));
    }

    #[test]
    fn export_reads_back_to_the_same_items() {
        let mut note = login("Door code", "", "", &[], &["Office"]);
        note.item.kind = ItemKind::SecureNote;
        note.item.notes = "1234, then \"enter\"\nsecond line".into();
        let items = vec![login("Bank", "alice", "p,w\"d", &["https://bank.example", "https://m.bank.example"], &["Finance", "IT"]), note];
        let text = to_csv(&items);
        assert!(text.starts_with("collections,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\r\n"));
        assert_eq!(parse_csv(&text).unwrap(), items);
    }

    #[test]
    fn json_reads_a_bitwarden_organisation_export_and_writes_one_back() {
        let text = r#"{"encrypted":false,"collections":[{"id":"c1","organizationId":"o","name":"Finance","externalId":null}],
            "items":[{"id":"i1","organizationId":"o","type":1,"name":"Bank","notes":null,"favorite":false,"reprompt":0,
              "login":{"uris":[{"match":null,"uri":"https://bank.example"}],"username":"alice","password":"pw","totp":null},
              "collectionIds":["c1"]},
              {"id":"i2","type":2,"name":"Wi-Fi","notes":"code","secureNote":{"type":0},"collectionIds":[]}]}"#;
        let items = parse_file("export.json", text).unwrap();
        assert_eq!(items[0], login("Bank", "alice", "pw", &["https://bank.example"], &["Finance"]));
        assert_eq!((items[1].item.kind, items[1].item.notes.as_str()), (ItemKind::SecureNote, "code"));
        assert_eq!(parse_json(&to_json(&items)).unwrap(), items);
        assert_eq!(parse_file("x.csv", &to_json(&items)).unwrap(), items, "recognised by its content too");
    }

    #[test]
    fn json_refusals() {
        assert_eq!(parse_json(r#"{"encrypted":true,"items":[]}"#), Err(ImportError::Encrypted));
        assert!(matches!(parse_json("{ nope"), Err(ImportError::Json(1))));
        assert_eq!(parse_json(r#"{"items":[{"type":3,"name":"Card"}]}"#).unwrap_err().to_string(), "Item 1: only logins and secure notes can be imported.");
        assert_eq!(parse_json(r#"{"items":[{"type":1,"name":" "}]}"#).unwrap_err().to_string(), "Item 1: Name is required.");
        assert_eq!(parse_json(r#"{"items":[]}"#), Err(ImportError::Empty));
    }

    proptest::proptest! {
        #[test]
        fn any_valid_item_survives_a_round_trip(name in "[^\\s][\\PC]{0,30}", user in "\\PC{0,20}", pass in "[\\PC\n\",]{0,20}", notes in "[\\PC\n]{0,40}") {
            let mut it = login(name.trim(), &user, &pass, &["https://x.example"], &["A"]);
            it.item.notes = notes;
            proptest::prop_assume!(!it.item.name.is_empty());
            let back = parse_csv(&to_csv(std::slice::from_ref(&it))).unwrap();
            proptest::prop_assert_eq!(back, vec![it]);
        }
    }
}
