//! Master-key derivation, native: Argon2id at the portal's default parameters
//! and PBKDF2-SHA256 at Bitwarden's default 600,000 iterations.
//! `cargo run --release -p domain --example kdf_bench`
use domain::bitwarden::{Kdf, MasterKey};
use domain::{Email, KdfParams, crypto};
use std::time::Instant;

/// Six runs of `derive`: the first, and the median of the other five.
fn time(label: &str, derive: impl Fn()) {
    let times: Vec<f64> = (0..6)
        .map(|_| {
            let t = Instant::now();
            derive();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let mut warm = times[1..].to_vec();
    warm.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "{label} native: first {:.0} ms, warm median {:.0} ms (runs: {:?})",
        times[0],
        warm[warm.len() / 2],
        times.iter().map(|t| t.round()).collect::<Vec<_>>()
    );
}

fn main() {
    let email = Email::parse("bench@example.com").unwrap();
    time("argon2id 64 MiB / t=3 / p=4", || {
        std::hint::black_box(crypto::master_key("correct horse battery staple", &email, KdfParams::default()).unwrap());
    });
    time("pbkdf2-sha256 600,000", || {
        std::hint::black_box(MasterKey::derive("correct horse battery staple", "bench@example.com", Kdf::DEFAULT_PBKDF2).unwrap());
    });
}
