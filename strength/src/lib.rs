//! The zxcvbn strength estimator (≈ 700 KB of dictionaries after brotli) as a
//! separate wasm module, so that only the pages where a master password is
//! chosen download it. `scripts/build-modules.sh` builds it into
//! `target/site/pkg/strength/`; the app imports it on demand.

/// zxcvbn score 0–4 of `password`, penalising the user's own inputs (email, name).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn score(password: &str, inputs: Vec<String>) -> u8 {
    let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    u8::from(zxcvbn::zxcvbn(password, &refs).score())
}

#[cfg(test)]
mod tests {
    #[test]
    fn weak_and_strong() {
        assert!(super::score("password", vec![]) <= 1);
        assert_eq!(super::score("correct horse battery staple 42 violet", vec![]), 4);
        assert!(super::score("ann@example.com", vec!["ann@example.com".into()]) <= 1);
    }
}
