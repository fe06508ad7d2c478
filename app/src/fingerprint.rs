//! Fingerprint phrases, computed in this browser from the very public key the
//! provider (or organisation) key is sealed to, so a server that handed over
//! another key than the member's would show a phrase the member does not see.
//! The EFF word list (62 KB) is not in the bundle: it is fetched the first
//! time a phrase is needed, checked against its SHA-256, and kept.

use domain::fingerprint::Uuid;

#[cfg(feature = "hydrate")]
async fn words() -> Result<&'static [&'static str], String> {
    use std::cell::Cell;
    thread_local! {
        static WORDS: Cell<Option<&'static [&'static str]>> = const { Cell::new(None) };
    }
    if let Some(w) = WORDS.with(Cell::get) {
        return Ok(w);
    }
    // The fetch is a browser future (not Send); resources need Send futures,
    // and this one only ever runs on the page's one thread.
    let text: &'static str = send_wrapper::SendWrapper::new(crate::modules::text(domain::fingerprint::WORDLIST_URL)).await?.leak();
    let list: &'static [&'static str] = domain::fingerprint::parse_list(text).map_err(|e| e.to_string())?.leak();
    WORDS.with(|w| w.set(Some(list)));
    Ok(list)
}

#[cfg(not(feature = "hydrate"))]
async fn words() -> Result<&'static [&'static str], String> {
    Ok(domain::fingerprint::words())
}

/// Starts fetching the word list (where a phrase will soon be shown).
pub fn preload() {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async {
        let _ = words().await;
    });
}

/// The EFF word list (checked against its SHA-256), for passphrases too.
pub async fn word_list() -> Result<&'static [&'static str], String> {
    words().await
}

/// The fingerprint phrase of `user_id` with `public_key_spki` (DER bytes).
pub async fn phrase(user_id: &str, public_key_spki: &[u8]) -> Result<String, String> {
    let id = Uuid::parse_str(user_id).map_err(|_| "A member's user id is malformed.".to_string())?;
    Ok(domain::fingerprint::phrase_with(words().await?, id, public_key_spki))
}
