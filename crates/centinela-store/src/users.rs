//! Users: a role, an optional border post, an argon2id password hash (PHC
//! string). Creating a user writes an audit entry in the same transaction.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use centinela_domain::Role;
use sqlx::Row;

use crate::audit::{append_in_tx, begin_write};
use crate::{Store, StoreError, now_rfc3339, on_pool};

/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// A user as stored, without the password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    /// The border post's code; `None` for country-wide users.
    pub post: Option<String>,
    pub created_at: String,
    pub disabled: bool,
}

/// A hash that no password is checked against in earnest: verifying an
/// unknown username costs what verifying a known one does.
static DUMMY_HASH: LazyLock<Option<String>> = LazyLock::new(|| {
    Argon2::default()
        .hash_password_with_salt(b"centinela: no such user", b"centinela-dummy-salt")
        .ok()
        .map(|h| h.to_string())
});

/// Checks a username: 1 to 64 characters, letters, digits, `.`, `_`, `-`,
/// `@`; `system` is the actor name of the software itself.
pub fn check_username(username: &str) -> Result<(), StoreError> {
    let ok_char = |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
    if username.is_empty() || username.chars().count() > 64 || !username.chars().all(ok_char) {
        return Err(StoreError::Conflict("a username is 1 to 64 letters, digits, '.', '_', '-' or '@'".into()));
    }
    if username == "system" {
        return Err(StoreError::Conflict("'system' is reserved for the software's own audit entries".into()));
    }
    Ok(())
}

/// Checks a new password's length (at least [`MIN_PASSWORD_CHARS`]).
pub fn check_password(password: &str) -> Result<(), StoreError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(StoreError::Conflict(format!(
            "the password is too short: {n} characters, at least {MIN_PASSWORD_CHARS} needed"
        )));
    }
    Ok(())
}

/// Password hashes computed at once: one per core. Each holds argon2's
/// 19 MiB for its duration, so memory stays bounded however many logins
/// arrive together; the rest wait their turn.
static HASHING: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZero::get))
});

/// Runs `f` (a password hash) on a blocking thread once one of
/// [`HASHING`]'s permits is free.
async fn hashing<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let _permit = HASHING.acquire().await.ok()?;
    tokio::task::spawn_blocking(f).await.ok()
}

/// argon2id with the crate's default parameters and a random salt.
async fn hash_password(password: &str) -> Result<String, StoreError> {
    let password = password.to_owned();
    hashing(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Conflict(format!("cannot hash the password: {e}")))
    })
    .await
    .ok_or_else(|| StoreError::Conflict("cannot hash the password".into()))?
}

/// Constant-time comparison through argon2; a malformed stored hash never
/// matches.
async fn password_matches(password: &str, phc: String) -> bool {
    let password = password.to_owned();
    hashing(move || {
        PasswordHash::new(&phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
    })
    .await
    .unwrap_or(false)
}

pub(crate) fn user_from<R>(row: &R) -> Result<User, StoreError>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    bool: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        role: Role::parse(&role).map_err(|e| StoreError::Corrupt(format!("users.role: {e}")))?,
        post: row.try_get("post_code")?,
        created_at: row.try_get("created_at")?,
        disabled: row.try_get("disabled")?,
    })
}

const USER_COLUMNS: &str = "id, username, role, post_code, created_at, disabled";

impl Store {
    /// Creates a user with an argon2id hash of `password` and, in the same
    /// transaction, the audit entry `user_created` by `actor` (subject: the
    /// new id; detail: role and post, nothing personal).
    pub async fn create_user(
        &self,
        actor: &str,
        username: &str,
        role: Role,
        post: Option<&str>,
        password: &str,
    ) -> Result<User, StoreError> {
        check_username(username)?;
        check_password(password)?;
        let phc = hash_password(password).await?;
        let now = now_rfc3339();
        let detail = serde_json::json!({ "role": role.as_str(), "post": post }).to_string();
        let backend = self.backend();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
                .bind(username)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                return Err(StoreError::Conflict(format!("user '{username}' already exists")));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (username, role, post_code, password_hash, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(username)
            .bind(role.as_str())
            .bind(post)
            .bind(&phc)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            let subject = id.to_string();
            append_in_tx!(tx, self, actor, "user_created", &subject, &detail).await?;
            tx.commit().await?;
            Ok(User {
                id,
                username: username.to_owned(),
                role,
                post: post.map(str::to_owned),
                created_at: now,
                disabled: false,
            })
        })
    }

    /// The user if `password` is theirs and they are not disabled. Takes
    /// the same argon2 work whether or not the username exists.
    pub async fn verify_password(&self, username: &str, password: &str) -> Result<Option<User>, StoreError> {
        LazyLock::force(&DUMMY_HASH);
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1"));
        let found: Option<(User, String)> = on_pool!(self, p => {
            match sqlx::query(sql).bind(username).fetch_optional(p).await? {
                Some(row) => Some((user_from(&row)?, row.try_get::<String, _>("password_hash")?)),
                None => None,
            }
        });
        match found {
            Some((user, phc)) => {
                let ok = password_matches(password, phc).await;
                Ok((ok && !user.disabled).then_some(user))
            }
            None => {
                if let Some(dummy) = DUMMY_HASH.clone() {
                    password_matches(password, dummy).await;
                }
                Ok(None)
            }
        }
    }

    /// What [`Store::verify_password`] costs for an unknown user, without
    /// asking the database (for a username no account can have): the
    /// answer does not tell by its time that the username was refused.
    pub async fn verify_password_of_nobody(&self, password: &str) {
        if let Some(dummy) = DUMMY_HASH.clone() {
            password_matches(password, dummy).await;
        }
    }

    /// Every user, by username.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users ORDER BY username"));
        on_pool!(self, p => {
            let rows = sqlx::query(sql).fetch_all(p).await?;
            rows.iter().map(user_from).collect()
        })
    }
}
