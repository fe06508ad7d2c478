//! Per-account key-derivation parameters (Argon2id).

use crate::FieldError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for KdfParams {
    /// 64 MiB, 3 iterations, 4 lanes (Bitwarden's Argon2id default).
    fn default() -> Self {
        KdfParams { memory_kib: 64 * 1024, iterations: 3, parallelism: 4 }
    }
}

impl KdfParams {
    pub const MIN: KdfParams = KdfParams { memory_kib: 16 * 1024, iterations: 2, parallelism: 1 };
    pub const MAX: KdfParams = KdfParams { memory_kib: 1024 * 1024, iterations: 10, parallelism: 16 };

    /// The server refuses parameters below 16 MiB / 2 / 1 (and absurd ones above).
    pub fn validate(self) -> Result<Self, FieldError> {
        let (lo, hi) = (Self::MIN, Self::MAX);
        if self.memory_kib < lo.memory_kib || self.memory_kib > hi.memory_kib {
            return Err(FieldError::new("kdf", "Argon2 memory must be between 16 MiB and 1024 MiB."));
        }
        if self.iterations < lo.iterations || self.iterations > hi.iterations {
            return Err(FieldError::new("kdf", "Argon2 iterations must be between 2 and 10."));
        }
        if self.parallelism < lo.parallelism || self.parallelism > hi.parallelism {
            return Err(FieldError::new("kdf", "Argon2 parallelism must be between 1 and 16."));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert!(KdfParams::default().validate().is_ok());
        assert!(KdfParams::MIN.validate().is_ok());
        assert!(KdfParams { memory_kib: 16 * 1024 - 1, ..KdfParams::MIN }.validate().is_err());
        assert!(KdfParams { iterations: 1, ..KdfParams::MIN }.validate().is_err());
        assert!(KdfParams { parallelism: 0, ..KdfParams::MIN }.validate().is_err());
        assert!(KdfParams { iterations: 11, ..KdfParams::MIN }.validate().is_err());
    }
}
