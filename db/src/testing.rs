//! Fresh databases for tests: a temporary SQLite file, or a new PostgreSQL
//! database that is dropped afterwards.
//!
//! PostgreSQL is taken from `TEST_POSTGRES_URL` (default: the server on
//! 127.0.0.1:5432 with trust auth). If it cannot be reached the test is
//! skipped with a loud notice — except under `CI=true`, where it fails.

use crate::{DynStore, PgStore, SqliteStore};
use std::sync::Arc;

pub struct TestDb {
    pub store: DynStore,
    pub url: String,
    cleanup: Option<(String, String)>,
    _dir: Option<std::path::PathBuf>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.cleanup.take() {
            // Drop the database from a separate runtime: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                rt.block_on(async move {
                    use sqlx::Connection;
                    let mut c = sqlx::PgConnection::connect(&admin_url).await.ok()?;
                    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut c).await.ok()
                })
            })
            .join();
        }
        if let Some(dir) = self._dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

pub async fn sqlite() -> TestDb {
    let dir = std::env::temp_dir().join(format!("portal-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("test.db").display());
    let store: DynStore = Arc::new(SqliteStore::connect(&url).await.expect("open sqlite"));
    TestDb { store, url, cleanup: None, _dir: Some(dir) }
}

pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh PostgreSQL database, or None (with a loud notice) when the server
/// is unreachable outside CI.
pub async fn postgres() -> Option<TestDb> {
    use sqlx::Connection;
    let admin_url = postgres_admin_url();
    let mut conn = match sqlx::PgConnection::connect(&admin_url).await {
        Ok(c) => c,
        Err(e) => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("PostgreSQL at {admin_url} is unreachable under CI=true: {e}");
            }
            eprintln!("\n!!!!! SKIPPING PostgreSQL test: {admin_url} unreachable ({e}) !!!!!\n");
            return None;
        }
    };
    let name = format!("portal_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).await.expect("create test database");
    let base = admin_url.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(admin_url.clone());
    let url = format!("{base}/{name}");
    let store: DynStore = Arc::new(PgStore::connect(&url).await.expect("open postgres"));
    Some(TestDb { store, url, cleanup: Some((admin_url, name)), _dir: None })
}
