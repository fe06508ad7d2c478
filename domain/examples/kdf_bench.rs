//! Master-key derivation, native: Argon2id at the portal's default parameters
//! and PBKDF2-SHA256 at Bitwarden's default 600,000 iterations.
//! `cargo run --release -p domain --example kdf_bench`
use domain::{Email, KdfParams, crypto};
use std::time::Instant;

fn main() {
    let email = Email::parse("bench@example.com").unwrap();
    let mut times = vec![];
    for _ in 0..6 {
        let t = Instant::now();
        let k = crypto::master_key("correct horse battery staple", &email, KdfParams::default()).unwrap();
        std::hint::black_box(k);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let warm: Vec<f64> = times[1..].to_vec();
    let mut sorted = warm.clone();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "argon2id 64 MiB / t=3 / p=4 native: first {:.0} ms, warm median {:.0} ms (runs: {:?})",
        times[0],
        sorted[sorted.len() / 2],
        times.iter().map(|t| t.round()).collect::<Vec<_>>()
    );
    let pbkdf2 = domain::bitwarden::Kdf::DEFAULT_PBKDF2;
    let mut times = vec![];
    for _ in 0..6 {
        let t = Instant::now();
        let k = domain::bitwarden::MasterKey::derive("correct horse battery staple", "bench@example.com", pbkdf2).unwrap();
        std::hint::black_box(k);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let mut sorted = times[1..].to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "pbkdf2-sha256 600,000 native: first {:.0} ms, warm median {:.0} ms (runs: {:?})",
        times[0],
        sorted[sorted.len() / 2],
        times.iter().map(|t| t.round()).collect::<Vec<_>>()
    );
}
