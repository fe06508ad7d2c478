use super::*;
use crate::bitwarden::cipher::{CipherType, UriMatch};

const EXPORT: &str = include_str!("../../tests/fixtures/bitwarden_export.json");

fn login(name: &str, user: &str, pass: &str, uris: &[&str], colls: &[&str]) -> ImportedItem {
    let mut item = CipherView::new(CipherType::Login);
    item.name = name.into();
    let l = item.login.as_mut().unwrap();
    l.username = Some(user.to_string()).filter(|s| !s.is_empty());
    l.password = Some(pass.to_string()).filter(|s| !s.is_empty());
    l.uris = uris.iter().map(|u| LoginUri { uri: Some(u.to_string()), match_type: None, uri_checksum: None }).collect();
    ImportedItem { item, collections: colls.iter().map(|s| s.to_string()).collect() }
}

/// An item's JSON without what the server owns or a file may spell either
/// way (ids, dates, nulls, empty lists): what must survive a round trip.
fn content(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(k, v)| {
                    !matches!(k.as_str(), "id" | "organizationId" | "folderId" | "collectionIds" | "revisionDate" | "creationDate" | "deletedDate")
                        && !v.is_null()
                        && v.as_array().is_none_or(|a| !a.is_empty())
                        && v.as_bool() != Some(false)
                        && v.as_u64() != Some(0)
                })
                .map(|(k, v)| (k.clone(), content(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(content).collect()),
        other => other.clone(),
    }
}

fn collection_names(doc: &Value, item: &Value) -> Vec<String> {
    let ids: Vec<&str> = item["collectionIds"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let mut names: Vec<String> = doc["collections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| ids.contains(&c["id"].as_str().unwrap()))
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn a_bitwarden_export_with_every_type_comes_back_field_by_field() {
    let parsed = parse_json(EXPORT, None).unwrap();
    assert!(parsed.skipped.is_empty(), "{:?}", parsed.skipped);
    let kinds: Vec<CipherType> = parsed.items.iter().map(|i| i.item.kind).collect();
    assert_eq!(kinds, [CipherType::Login, CipherType::SecureNote, CipherType::Card, CipherType::Identity, CipherType::SshKey]);
    let first = &parsed.items[0].item;
    assert_eq!(first.login.as_ref().unwrap().uris[1].match_type, Some(UriMatch::Host));
    assert_eq!(first.fields.len(), 4);
    assert_eq!(first.password_history.len(), 2);
    assert_eq!(parsed.items[0].collections, ["Clients/Contoso", "Finance"]);

    let again = to_json(&parsed.items, Grouping::Collections);
    let (a, b): (Value, Value) = (serde_json::from_str(EXPORT).unwrap(), serde_json::from_str(&again).unwrap());
    let (ai, bi) = (a["items"].as_array().unwrap(), b["items"].as_array().unwrap());
    assert_eq!(ai.len(), bi.len());
    for (x, y) in ai.iter().zip(bi) {
        assert_eq!(content(x), content(y), "item {}", x["name"]);
        assert_eq!(collection_names(&a, x), collection_names(&b, y), "collections of {}", x["name"]);
    }
    assert_eq!(parse_json(&again, None).unwrap(), parsed);
}

#[test]
fn the_password_protected_export_opens_with_its_password_only() {
    let items = parse_json(EXPORT, None).unwrap().items;
    let kdf = Kdf::Pbkdf2 { iterations: 5_000 };
    let file = to_protected_json(&items, Grouping::Collections, "file pass 1", kdf).unwrap();
    assert!(!file.contains("C0rrect-horse") && !file.contains("Contoso"));
    assert!(needs_password(&file) && !needs_password(EXPORT));
    assert_eq!(parse_file("x.json", &file, None), Err(ImportError::NeedsPassword));
    assert_eq!(parse_file("x.json", &file, Some("wrong")), Err(ImportError::WrongPassword));
    assert_eq!(parse_file("x.json", &file, Some("file pass 1")).unwrap().items, items);
    let argon = to_protected_json(&items[..1], Grouping::Collections, "pw", Kdf::Argon2id { iterations: 2, memory_mib: 16, parallelism: 1 }).unwrap();
    assert_eq!(parse_json(&argon, Some("pw")).unwrap().items, items[..1]);
    // Settings under Bitwarden's minimums are refused before anything is derived.
    let weak = file.replace("\"kdfIterations\": 5000", "\"kdfIterations\": 1");
    assert!(matches!(parse_json(&weak, Some("file pass 1")), Err(ImportError::Kdf(_))));
    let account = r#"{"encrypted":true,"encKeyValidation_DO_NOT_EDIT":"2.x","items":[]}"#;
    assert_eq!(parse_json(account, None), Err(ImportError::AccountEncrypted));
}

#[test]
fn one_bad_item_is_listed_and_the_rest_import() {
    let text = r#"{"encrypted":false,"items":[
        {"type":1,"name":"Good","login":{"username":"a"}},
        {"type":1,"name":null},
        {"type":9,"name":"Alien"},
        {"type":1,"name":"Bad key","login":{"totp":"not base32!"}}]}"#;
    let p = parse_json(text, None).unwrap();
    assert_eq!(p.items.len(), 1);
    let at: Vec<&str> = p.skipped.iter().map(|s| s.at.as_str()).collect();
    assert_eq!(at, ["Item 2", "Item 3 (Alien)", "Item 4 (Bad key)"]);
    assert_eq!(p.skipped[0].reason, "Name is required.");
    assert!(p.skipped[2].reason.contains("authenticator key"));
    assert_eq!(parse_json(r#"{"items":[{"type":1,"name":" "}]}"#, None), Err(ImportError::NothingToImport));
    assert_eq!(parse_json(r#"{"items":[]}"#, None), Err(ImportError::Empty));
    assert!(matches!(parse_json("{ nope", None), Err(ImportError::Json(1))));
}

#[test]
fn reads_a_bitwarden_organisation_csv() {
    let csv = "collections,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\r\n\
               \"Finance,IT\",login,Bank,,\"PIN: 4711\",1,https://bank.example,alice,\"p,w\"\"d\",JBSWY3DPEHPK3PXP\r\n\
               ,note,Wi-Fi,\"line 1\nline 2\",,0,,,,\r\n\
               ,card,Visa,,,0,,,,\r\n";
    let p = parse_csv(csv).unwrap();
    assert_eq!(p.items.len(), 2);
    let bank = &p.items[0];
    assert_eq!(bank.collections, ["Finance", "IT"]);
    assert_eq!(bank.item.reprompt, 1);
    assert_eq!(bank.item.fields[0].name.as_deref(), Some("PIN"));
    assert_eq!(bank.item.fields[0].value.as_deref(), Some("4711"));
    assert_eq!(bank.item.login.as_ref().unwrap().password.as_deref(), Some("p,w\"d"));
    assert_eq!(bank.item.login.as_ref().unwrap().totp.as_deref(), Some("JBSWY3DPEHPK3PXP"));
    assert_eq!(p.items[1].item.kind, CipherType::SecureNote);
    assert_eq!(p.items[1].item.notes.as_deref(), Some("line 1\nline 2"));
    assert_eq!(p.skipped.len(), 1);
    assert!(p.skipped[0].at == "Line 4" && p.skipped[0].reason.contains("\"card\""));
}

#[test]
fn generic_and_lastpass_csv() {
    let generic = "\u{feff}name,url,username,password,notes,totp\nMail,https://mail.example,ann,pw,,\n,https://only-url.example,bob,pw2,,\n";
    let p = parse_csv(generic).unwrap();
    assert_eq!(p.items[0], login("Mail", "ann", "pw", &["https://mail.example"], &[]));
    assert_eq!(p.items[1].item.name, "https://only-url.example");
    let lastpass = "url,username,password,totp,extra,name,grouping,fav\n\
                    https://bank.example,alice,pw,,memo,Bank,Clients\\Contoso,1\n\
                    http://sn,,,,door code 1234,Door,,0\n";
    let p = parse_csv(lastpass).unwrap();
    assert_eq!(p.items[0].collections, ["Clients/Contoso"]);
    assert!(p.items[0].item.favorite);
    assert_eq!(p.items[0].item.notes.as_deref(), Some("memo"));
    assert_eq!(p.items[1].item.kind, CipherType::SecureNote);
    assert_eq!(p.items[1].item.notes.as_deref(), Some("door code 1234"));
}

#[test]
fn csv_refusals_and_limits() {
    assert_eq!(parse_csv("username,password\na,b\n"), Err(ImportError::NoHeader));
    assert_eq!(parse_csv("  \n"), Err(ImportError::Empty));
    assert_eq!(parse_csv("name\n\n"), Err(ImportError::Empty));
    let p = parse_csv("name,type\nGood,login\n,login\n").unwrap();
    assert_eq!(p.skipped, vec![Skipped { at: "Line 3".into(), reason: "Name is required.".into() }]);
    let mut csv = String::from("name\n");
    for i in 0..=MAX_IMPORT_ITEMS {
        csv.push_str(&format!("item {i}\n"));
    }
    assert_eq!(parse_csv(&csv), Err(ImportError::TooMany(MAX_IMPORT_ITEMS + 1)));
    let big = "name\n".to_string() + &"x".repeat(MAX_IMPORT_BYTES);
    assert_eq!(parse_csv(&big), Err(ImportError::TooLarge));
}

#[test]
fn csv_export_reads_back_and_says_what_it_left_out() {
    let mut note = login("Door code", "", "", &[], &["Office"]);
    note.item.kind = CipherType::SecureNote;
    note.item.ensure_part();
    note.item.notes = Some("1234, then \"enter\"\nsecond line".into());
    let items = vec![login("Bank", "alice", "p,w\"d", &["https://bank.example", "https://m.bank.example"], &["Finance", "IT"]), note];
    let (text, left_out) = to_csv(&items, Grouping::Collections);
    assert_eq!(left_out, 0);
    assert!(text.starts_with("collections,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\r\n"));
    assert_eq!(parse_csv(&text).unwrap().items, items);
    let all = parse_json(EXPORT, None).unwrap().items;
    assert_eq!(to_csv(&all, Grouping::Collections).1, 3, "card, identity and SSH key are not in CSV");
    assert_eq!(parse_file("x.csv", &to_json(&items, Grouping::Collections), None).unwrap().items, items, "JSON is recognised by its content too");
}

proptest::proptest! {
    #[test]
    fn any_valid_login_survives_a_csv_round_trip(name in "[^\\s][\\PC]{0,30}", user in "[^\\s]\\PC{0,20}", pass in "[\\PC\n\",]{1,20}", notes in "[\\PC\n]{1,40}") {
        let mut it = login(name.trim(), &user, &pass, &["https://x.example"], &["A"]);
        it.item.notes = Some(notes);
        proptest::prop_assume!(!it.item.name.is_empty());
        let back = parse_csv(&to_csv(std::slice::from_ref(&it), Grouping::Collections).0).unwrap();
        proptest::prop_assert_eq!(back.items, vec![it]);
    }
}

#[test]
fn an_individual_export_keeps_folders_and_favourites_both_ways() {
    let mut work = login("Core switch", "admin", "sw-pass", &["https://switch.local"], &["Network"]);
    work.item.favorite = true;
    let loose = login("Mail", "me", "mail-pass", &[], &[]);
    let items = vec![work.clone(), loose.clone()];
    // JSON: a folders list and one folderId per item (no collections).
    let json = to_json(&items, Grouping::Folders);
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["folders"], json!([{ "id": "folder-1", "name": "Network" }]));
    assert!(doc.get("collections").is_none());
    assert_eq!((doc["items"][0]["folderId"].as_str(), doc["items"][1]["folderId"].clone()), (Some("folder-1"), Value::Null));
    assert_eq!(parse_json(&json, None).unwrap().items, items, "read back: folder names and the favourite");
    // CSV: Bitwarden's individual header, the folder and favourite first.
    let (csv, left_out) = to_csv(&items, Grouping::Folders);
    assert_eq!(
        (csv.lines().next().unwrap(), left_out),
        ("folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp", 0)
    );
    assert!(csv.contains("Network,1,login,Core switch"), "{csv}");
    assert_eq!(parse_csv(&csv).unwrap().items, items);
    // An item in several collections goes into one folder: the first.
    let multi = login("Shared", "u", "p", &[], &["A", "B"]);
    let doc: Value = serde_json::from_str(&to_json(std::slice::from_ref(&multi), Grouping::Folders)).unwrap();
    assert_eq!(doc["folders"].as_array().unwrap().len(), 1);
}
