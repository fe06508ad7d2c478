//! Server-side Argon2id over the client's authentication hash, with bounded
//! memory. At most `permits` hashes run at once and each runs in a buffer
//! taken from a pool and handed back, so the server's hashing memory stays at
//! `permits × m KiB` however many log-ins arrive (a burst waits its turn
//! instead of allocating 19 MiB per request).

use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct HashPool {
    params: Params,
    permits: Arc<Semaphore>,
    buffers: Arc<Mutex<Vec<Vec<Block>>>>,
    dummy: Arc<tokio::sync::OnceCell<String>>,
}

impl HashPool {
    /// `(memory KiB, iterations, parallelism)`; `permits` hashes at a time.
    pub fn new(params: (u32, u32, u32), permits: usize) -> Self {
        let params = Params::new(params.0, params.1, params.2, None).expect("valid server hash params");
        HashPool { params, permits: Arc::new(Semaphore::new(permits.max(1))), buffers: Arc::new(Mutex::new(Vec::new())), dummy: Arc::default() }
    }

    /// How many buffers exist (each `m` KiB): never more than the permits.
    pub fn buffers_allocated(&self) -> usize {
        self.buffers.lock().map(|b| b.len()).unwrap_or(0)
    }

    async fn run<R: Send + 'static>(&self, blocks: usize, f: impl FnOnce(&mut [Block]) -> R + Send + 'static) -> anyhow::Result<R> {
        let _permit = self.permits.clone().acquire_owned().await?;
        let mut buf = self.buffers.lock().map_err(|_| anyhow::anyhow!("hash pool poisoned"))?.pop().unwrap_or_default();
        if buf.len() < blocks {
            buf.resize(blocks, Block::new());
        }
        let (r, buf) = tokio::task::spawn_blocking(move || {
            let r = f(&mut buf[..blocks]);
            (r, buf)
        })
        .await?;
        if let Ok(mut pool) = self.buffers.lock() {
            pool.push(buf);
        }
        Ok(r)
    }

    /// A PHC string (`$argon2id$v=19$m=…`) of `secret` with a fresh salt.
    pub async fn hash(&self, secret: Vec<u8>) -> anyhow::Result<String> {
        let params = self.params.clone();
        self.run(params.block_count(), move |mem| -> anyhow::Result<String> {
            let salt = SaltString::generate(&mut rand_core::OsRng);
            let mut raw_salt = [0u8; 64];
            let salt_bytes = salt.as_salt().decode_b64(&mut raw_salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
            let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
            Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
                .hash_password_into_with_memory(&secret, salt_bytes, &mut out, mem)
                .map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
            let phc = PasswordHash {
                algorithm: Algorithm::Argon2id.ident(),
                version: Some(Version::V0x13.into()),
                params: (&params).try_into().map_err(|e| anyhow::anyhow!("params: {e}"))?,
                salt: Some(salt.as_salt()),
                hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("output: {e}"))?),
            };
            Ok(phc.to_string())
        })
        .await?
    }

    /// A hash of nothing, to verify against when an account does not exist,
    /// so that the answer takes as long as for a real account.
    pub async fn dummy(&self) -> anyhow::Result<String> {
        self.dummy.get_or_try_init(|| self.hash(b"not-an-account".to_vec())).await.cloned()
    }

    /// Does `secret` match the stored PHC string? A malformed or foreign
    /// string is simply no match. The comparison is constant-time.
    pub async fn verify(&self, secret: Vec<u8>, phc: String) -> anyhow::Result<bool> {
        let Some((params, blocks)) = PasswordHash::new(&phc).ok().and_then(|h| {
            let p = Params::try_from(&h).ok()?;
            let ours = h.algorithm == Algorithm::Argon2id.ident() && h.version == Some(Version::V0x13.into());
            // A stored hash never asks for more memory than ours (bounded buffers).
            (ours && p.m_cost() <= self.params.m_cost()).then(|| {
                let n = p.block_count();
                (p, n)
            })
        }) else {
            return Ok(false);
        };
        self.run(blocks, move |mem| {
            let Ok(h) = PasswordHash::new(&phc) else { return false };
            let (Some(salt), Some(expected)) = (h.salt, h.hash) else { return false };
            let mut raw_salt = [0u8; 64];
            let Ok(salt_bytes) = salt.decode_b64(&mut raw_salt) else { return false };
            let mut out = vec![0u8; expected.len()];
            let hashed = Argon2::new(Algorithm::Argon2id, Version::V0x13, params).hash_password_into_with_memory(&secret, salt_bytes, &mut out, mem);
            // `Output`'s equality is constant-time.
            hashed.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier;

    const SMALL: (u32, u32, u32) = (64, 1, 1);

    #[tokio::test]
    async fn hashes_verify_with_the_argon2_crate_and_back() {
        let pool = HashPool::new(SMALL, 2);
        let phc = pool.hash(b"client auth hash".to_vec()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{phc}");
        // The crate's own verifier agrees (same standard PHC string).
        let parsed = PasswordHash::new(&phc).unwrap();
        assert!(Argon2::default().verify_password(b"client auth hash", &parsed).is_ok());
        assert!(pool.verify(b"client auth hash".to_vec(), phc.clone()).await.unwrap());
        assert!(!pool.verify(b"client auth hasH".to_vec(), phc.clone()).await.unwrap());
        // And a hash made by the crate verifies here.
        let salt = SaltString::generate(&mut rand_core::OsRng);
        let theirs =
            argon2::PasswordHasher::hash_password(&Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(64, 1, 1, None).unwrap()), b"x", &salt)
                .unwrap()
                .to_string();
        assert!(pool.verify(b"x".to_vec(), theirs.clone()).await.unwrap());
        assert!(!pool.verify(b"y".to_vec(), theirs).await.unwrap());
    }

    #[tokio::test]
    async fn refuses_foreign_or_oversized_hashes() {
        let pool = HashPool::new(SMALL, 1);
        assert!(!pool.verify(b"x".to_vec(), "not a hash".into()).await.unwrap());
        let salt = SaltString::generate(&mut rand_core::OsRng);
        let big = argon2::PasswordHasher::hash_password(&Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(128, 1, 1, None).unwrap()), b"x", &salt)
            .unwrap()
            .to_string();
        assert!(!pool.verify(b"x".to_vec(), big).await.unwrap(), "more memory than the pool's is refused");
        let argon2i =
            argon2::PasswordHasher::hash_password(&Argon2::new(Algorithm::Argon2i, Version::V0x13, Params::new(64, 1, 1, None).unwrap()), b"x", &salt)
                .unwrap()
                .to_string();
        assert!(!pool.verify(b"x".to_vec(), argon2i).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn memory_is_bounded_by_the_permits() {
        let pool = HashPool::new(SMALL, 3);
        let phc = pool.hash(b"s".to_vec()).await.unwrap();
        let mut tasks = vec![];
        for i in 0..40 {
            let (p, phc) = (pool.clone(), phc.clone());
            tasks.push(tokio::spawn(async move { p.verify(if i % 2 == 0 { b"s".to_vec() } else { b"t".to_vec() }, phc).await.unwrap() }));
        }
        let mut ok = 0;
        for t in tasks {
            ok += t.await.unwrap() as usize;
        }
        assert_eq!(ok, 20);
        let n = pool.buffers_allocated();
        assert!((1..=3).contains(&n), "{n} buffers for 40 concurrent verifications with 3 permits");
    }
}
