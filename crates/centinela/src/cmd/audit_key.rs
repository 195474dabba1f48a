//! Where the audit log's sealing key comes from (never the database, never
//! the command line): `--audit-key-file` (or `CENTINELA_AUDIT_KEY_FILE`), a
//! file holding 64 hexadecimal digits; else `CENTINELA_AUDIT_KEY`, the
//! digits themselves. Without either:
//! - a SQLite database (a post) uses the file `<database>.audit-key` beside
//!   it, created with mode 0600 at the first start of a log that is not yet
//!   sealed, with a loud warning: an attacker who takes the whole machine
//!   takes that file too, so keep a copy of the key elsewhere, or better,
//!   put the key on other storage and name it;
//! - a PostgreSQL database (the centre) refuses to start.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use centinela_domain::audit::AuditKey;
use centinela_store::Store;

/// The environment variable holding the key's text.
pub const KEY_ENV: &str = "CENTINELA_AUDIT_KEY";

/// The key for `store` (opened from `db`), as the module says.
pub async fn resolve(db: &str, key_file: Option<&Path>, store: &Store) -> anyhow::Result<AuditKey> {
    if let Some(path) = key_file {
        return read(path);
    }
    if let Ok(text) = std::env::var(KEY_ENV) {
        return AuditKey::parse(&text).context(KEY_ENV);
    }
    if store.backend() == centinela_store::Backend::Postgres {
        bail!(
            "a centre (PostgreSQL) needs its audit key outside the database: --audit-key-file FILE \
             (or CENTINELA_AUDIT_KEY_FILE), or CENTINELA_AUDIT_KEY; a key is 64 hexadecimal digits, \
             e.g. from `openssl rand -hex 32`"
        );
    }
    let path = beside(db);
    if path.exists() {
        return read(&path);
    }
    if let Some(seal) = store.audit_seal().await? {
        bail!(
            "the audit log is sealed (from entry {}) but its key file {} is missing: give the key with \
             --audit-key-file or CENTINELA_AUDIT_KEY",
            seal.start_seq,
            path.display()
        );
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for the audit key: {e}"))?;
    let key = AuditKey::from_bytes(bytes);
    create_private(&path, &format!("{}\n", key.to_hex()))
        .with_context(|| format!("creating the audit key file {}", path.display()))?;
    tracing::warn!(
        file = %path.display(),
        "NO AUDIT KEY WAS CONFIGURED: created a new one beside the database (mode 0600). Anyone who takes \
         this machine takes the key too; keep a copy elsewhere, or move it to other storage and name it \
         with --audit-key-file"
    );
    eprintln!(
        "warning: no audit key configured; created {} (mode 0600) to seal the audit log — keep a copy elsewhere",
        path.display()
    );
    Ok(key)
}

/// `<database>.audit-key`, beside a SQLite database file.
pub fn beside(db: &str) -> PathBuf {
    let file = db.strip_prefix("sqlite://").or_else(|| db.strip_prefix("sqlite:")).unwrap_or(db);
    let file = file.split('?').next().unwrap_or(file);
    PathBuf::from(format!("{file}.audit-key"))
}

fn read(path: &Path) -> anyhow::Result<AuditKey> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading the audit key file {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = std::fs::metadata(path)
            && m.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(file = %path.display(), "the audit key file can be read by other users: chmod 600 it");
        }
    }
    AuditKey::parse(&text).with_context(|| format!("the audit key file {}", path.display()))
}

/// Writes a new file only the owner can read (never over an existing one).
fn create_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_key_file_is_beside_the_database() {
        assert_eq!(super::beside("/var/lib/c/centinela.db").to_str(), Some("/var/lib/c/centinela.db.audit-key"));
        assert_eq!(super::beside("sqlite:x.db?mode=rwc").to_str(), Some("x.db.audit-key"));
    }
}
