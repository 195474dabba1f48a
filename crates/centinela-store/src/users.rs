//! Users: a role, an optional border post, an argon2id password hash (PHC
//! string). Every change to an account — creating it, disabling and
//! enabling it, changing or resetting its password, changing its role or
//! post, ending its sessions — writes its audit entry in the same
//! transaction, and every change that alters what the account may do ends
//! its sessions in that transaction too.
//!
//! Creating a protection or admin account, or raising a user to one, is
//! the work of two administrators through the server ([`needs_approval`],
//! [`Store::request_account`], [`Store::approve_account_request`]); the
//! direct [`Store::create_user`] and [`Store::set_user_role`] (the console,
//! the demo) flag such an entry `"privileged": true` in the audit chain.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::PasswordHash;
use centinela_domain::Role;
use sqlx::Row;

use crate::audit::{append_in_tx, begin_write};
use crate::password::check_new_password;
use crate::{Backend, Store, StoreError, now_rfc3339, on_pool};

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
    /// The password was set by an administrator (a reset): the user's
    /// sessions may do nothing but change it.
    pub must_change_password: bool,
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
        return Err(StoreError::Invalid("a username is 1 to 64 letters, digits, '.', '_', '-' or '@'".into()));
    }
    if username == "system" {
        return Err(StoreError::Invalid("'system' is reserved for the software's own audit entries".into()));
    }
    Ok(())
}

/// A password hash to run, and where its answer goes.
type HashJob = Box<dyn FnOnce() + Send>;

/// The threads that hash passwords: one per core, for the life of the
/// process. Each hash holds argon2's 19 MiB while it runs, and the
/// allocator keeps a thread's freed block for that thread's next one — on
/// a pool of threads that grows (tokio's blocking pool) a flood of logins
/// left hundreds of megabytes behind. Here at most one block per core is
/// ever held, however many logins arrive together; the rest wait in line.
static HASHERS: LazyLock<std::sync::mpsc::Sender<HashJob>> = LazyLock::new(|| {
    let (tx, rx) = std::sync::mpsc::channel::<HashJob>();
    let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
    for i in 0..std::thread::available_parallelism().map_or(2, std::num::NonZero::get) {
        let rx = rx.clone();
        let spawned = std::thread::Builder::new().name(format!("hasher-{i}")).spawn(move || {
            loop {
                let job = match rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(poisoned) => poisoned.into_inner().recv(),
                };
                match job {
                    // A job that panics drops its answer (the caller sees
                    // `None`); the thread goes on.
                    Ok(job) => drop(std::panic::catch_unwind(std::panic::AssertUnwindSafe(job))),
                    Err(_) => return,
                }
            }
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start a password hashing thread");
        }
    }
    tx
});

/// Runs `f` (a password hash) on one of [`HASHERS`]' threads; `None` if it
/// could not run.
async fn hashing<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: HashJob = Box::new(move || {
        let _ = tx.send(f());
    });
    HASHERS.send(job).ok()?;
    rx.await.ok()
}

/// Marks an audit detail as a change to a protection or admin account:
/// the approving request and who asked for it, or `approved: false` when
/// the console made it directly.
fn flag_privileged(detail: &mut serde_json::Value, approval: Option<(i64, &str)>) {
    detail["privileged"] = true.into();
    match approval {
        Some((request, by)) => {
            detail["request"] = request.into();
            detail["requested_by"] = by.into();
        }
        None => detail["approved"] = false.into(),
    }
}

thread_local! {
    /// argon2's working memory (19 MiB with the default parameters), kept
    /// by each hashing thread for its next verification: allocating it anew
    /// each time left the allocator holding about one block per login.
    static BLOCKS: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The most working memory a stored hash may ask of a verification: 64 MiB
/// (ours ask 19). A hash asking more never matches.
const MAX_VERIFY_BLOCKS: usize = 64 * 1024;

/// Verifies `password` against a PHC string as argon2's `verify_password`
/// does (same parameters, salt and constant-time comparison of the
/// output), in this thread's [`BLOCKS`]; a malformed hash never matches.
fn verify_in_place(password: &[u8], phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else { return false };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else { return false };
    let (Ok(params), Ok(algorithm)) =
        (argon2::Params::try_from(&hash), argon2::Algorithm::try_from(hash.algorithm.as_str()))
    else {
        return false;
    };
    let Ok(version) = hash.version.map_or(Ok(argon2::Version::default()), argon2::Version::try_from) else {
        return false;
    };
    let blocks = params.block_count();
    if blocks > MAX_VERIFY_BLOCKS {
        return false;
    }
    let mut buf = [0u8; 64];
    let Some(out) = buf.get_mut(..expected.len()) else { return false };
    let argon = Argon2::new(algorithm, version, params);
    let computed = BLOCKS.with_borrow_mut(|memory| {
        if memory.len() < blocks {
            memory.resize(blocks, argon2::Block::default());
        }
        argon.hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
    });
    computed.is_ok() && argon2::password_hash::phc::Output::new(out).is_ok_and(|o| o == *expected)
}

/// argon2id with the crate's default parameters and a random salt.
pub(crate) async fn hash_password(password: &str) -> Result<String, StoreError> {
    let password = password.to_owned();
    hashing(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Internal(format!("cannot hash the password: {e}")))
    })
    .await
    .ok_or_else(|| StoreError::Internal("cannot hash the password".into()))?
}

/// Constant-time comparison through argon2; a malformed stored hash never
/// matches.
async fn password_matches(password: &str, phc: String) -> bool {
    let password = password.to_owned();
    hashing(move || verify_in_place(password.as_bytes(), &phc)).await.unwrap_or(false)
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
        must_change_password: row.try_get("must_change_password")?,
    })
}

pub(crate) const USER_COLUMNS: &str = "id, username, role, post_code, created_at, disabled, must_change_password";

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
        check_new_password(password, username, role)?;
        let phc = hash_password(password).await?;
        let now = now_rfc3339();
        let detail = created_detail(role, post, None);
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
                must_change_password: false,
            })
        })
    }

    /// The user if `password` is theirs and they are not disabled. Takes
    /// the same argon2 work whether or not the username exists.
    pub async fn verify_password(&self, username: &str, password: &str) -> Result<Option<User>, StoreError> {
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
                self.verify_password_of_nobody(password).await;
                Ok(None)
            }
        }
    }

    /// What [`Store::verify_password`] costs for an unknown user, without
    /// asking the database (for a username no account can have): the
    /// answer does not tell by its time that the username was refused.
    pub async fn verify_password_of_nobody(&self, password: &str) {
        let password = password.to_owned();
        // On a hashing thread, where the dummy hash itself is computed the
        // first time (an argon2 hash: never on a runtime worker).
        let _ = hashing(move || DUMMY_HASH.as_deref().map(|dummy| verify_in_place(password.as_bytes(), dummy))).await;
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

/// Whether creating an account with `role`, or raising a user to it, needs
/// a second administrator's approval: the protection unit reads
/// trafficking victims' cases, and an administrator grants accounts.
pub fn needs_approval(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Protection)
}

/// The audit detail of a new account: role, post, and for a privileged
/// role `"privileged": true` with the approved request (`request`,
/// `requested_by`) or `"approved": false` when no second admin saw it.
fn created_detail(role: Role, post: Option<&str>, approval: Option<(i64, &str)>) -> String {
    let mut d = serde_json::json!({ "role": role.as_str(), "post": post });
    if needs_approval(role) {
        flag_privileged(&mut d, approval);
    }
    d.to_string()
}

/// What an account change did: the user as it now is, and how many of its
/// sessions ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChange {
    pub user: User,
    pub sessions_ended: u64,
}

/// A change that waits for a second administrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// Create the account `username` with `role` and `post`.
    Create,
    /// Give the user `user_id` the role `role`.
    Role,
    /// Reset the password of the protection or admin account `user_id`.
    Reset,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Create => "create",
            RequestKind::Role => "role",
            RequestKind::Reset => "reset",
        }
    }
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    Pending,
    Approved,
    Rejected,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Rejected => "rejected",
        }
    }
}

/// A request for a privileged account (see [`needs_approval`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRequest {
    pub id: i64,
    pub kind: RequestKind,
    /// The account's username (for a role request, the user's).
    pub username: String,
    /// The user whose role changes (role requests; after approval, also the
    /// created user).
    pub user_id: Option<i64>,
    pub role: Role,
    pub post: Option<String>,
    /// Audit actors (`user:<id>`).
    pub requested_by: String,
    pub requested_at: String,
    pub status: RequestStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

/// Marks a pending request approved ($1 actor, $2 time, $3 the user made
/// or changed, $4 the request), forgetting its password hash.
const APPROVE_SQL: &str = "UPDATE account_requests SET status = 'approved', decided_by = $1, decided_at = $2, \
                           user_id = COALESCE($3, user_id), password_hash = NULL WHERE id = $4 AND status = 'pending'";

const REQUEST_COLUMNS: &str =
    "id, kind, username, user_id, role, post_code, requested_by, requested_at, status, decided_by, decided_at";

fn request_from<R>(row: &R) -> Result<AccountRequest, StoreError>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<i64>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let kind: String = row.try_get("kind")?;
    let role: String = row.try_get("role")?;
    let status: String = row.try_get("status")?;
    Ok(AccountRequest {
        id: row.try_get("id")?,
        kind: match kind.as_str() {
            "create" => RequestKind::Create,
            "role" => RequestKind::Role,
            "reset" => RequestKind::Reset,
            k => return Err(StoreError::Corrupt(format!("account_requests.kind: {k}"))),
        },
        username: row.try_get("username")?,
        user_id: row.try_get("user_id")?,
        role: Role::parse(&role).map_err(|e| StoreError::Corrupt(format!("account_requests.role: {e}")))?,
        post: row.try_get("post_code")?,
        requested_by: row.try_get("requested_by")?,
        requested_at: row.try_get("requested_at")?,
        status: match status.as_str() {
            "pending" => RequestStatus::Pending,
            "approved" => RequestStatus::Approved,
            "rejected" => RequestStatus::Rejected,
            s => return Err(StoreError::Corrupt(format!("account_requests.status: {s}"))),
        },
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
    })
}

/// The active administrators (see `removes_admin` in [`Store::apply`]).
const ACTIVE_ADMINS: &str = "SELECT id FROM users WHERE role = 'admin' AND NOT disabled ORDER BY id";
const ACTIVE_ADMINS_LOCKED: &str = "SELECT id FROM users WHERE role = 'admin' AND NOT disabled ORDER BY id FOR UPDATE";

/// One change to an existing account, applied by [`Store::apply`].
enum Change<'a> {
    Disabled(bool),
    /// A new password hash; `must_change` for a reset; the one session to
    /// keep (the user's own, changing it); the approved request of a
    /// privileged reset.
    Password {
        phc: String,
        must_change: bool,
        keep_session: Option<i64>,
        approval: Option<(i64, &'a str)>,
    },
    Role {
        role: Role,
        approval: Option<(i64, &'a str)>,
    },
    Post(Option<&'a str>),
    EndSessions,
}

impl Store {
    /// Applies `change` to user `id` in one transaction: the update, the
    /// end of the user's sessions (all but an enabling), and the audit entry
    /// `action` by `actor` (subject `user:<id>`; detail: what changed, ids
    /// and codes only, and `sessions_ended`).
    async fn apply(&self, actor: &str, id: i64, change: Change<'_>, action: &str) -> Result<AccountChange, StoreError> {
        self.apply_deciding(actor, id, change, action, None).await
    }

    /// [`Store::apply`], and in the same transaction marks the pending
    /// request `request` approved (`account_request_approved`): a request
    /// is carried out exactly once, or not at all.
    async fn apply_deciding(
        &self,
        actor: &str,
        id: i64,
        change: Change<'_>,
        action: &str,
        request: Option<i64>,
    ) -> Result<AccountChange, StoreError> {
        let backend = self.backend();
        let now = now_rfc3339();
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"));
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let Some(row) = sqlx::query(sql).bind(id).fetch_optional(&mut *tx).await? else {
                return Err(StoreError::NotFound(format!("user {id}")));
            };
            let mut user = user_from(&row)?;
            let removes_admin = user.role == Role::Admin
                && !user.disabled
                && match &change {
                    Change::Disabled(true) => true,
                    Change::Role { role, .. } => *role != Role::Admin,
                    _ => false,
                };
            if removes_admin {
                // Every active admin row, locked in id order on PostgreSQL:
                // two admins disabling each other at once are serialised
                // (SQLite's write transaction already is), the second then
                // sees itself alone.
                let sql = match backend {
                    Backend::Postgres => ACTIVE_ADMINS_LOCKED,
                    Backend::Sqlite => ACTIVE_ADMINS,
                };
                let admins: Vec<i64> = sqlx::query_scalar(sql).fetch_all(&mut *tx).await?;
                if !admins.iter().any(|a| *a != id) {
                    return Err(StoreError::LastAdmin);
                }
            }
            let mut detail = serde_json::json!({});
            let mut keep = None;
            match &change {
                Change::Disabled(d) => {
                    sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2").bind(*d).bind(id).execute(&mut *tx).await?;
                    user.disabled = *d;
                }
                Change::Password { phc, must_change, keep_session, approval } => {
                    if *must_change && needs_approval(user.role) {
                        flag_privileged(&mut detail, *approval);
                    }
                    sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3")
                        .bind(phc)
                        .bind(*must_change)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    user.must_change_password = *must_change;
                    detail["must_change_password"] = (*must_change).into();
                    keep = *keep_session;
                }
                Change::Role { role, approval } => {
                    detail["from"] = user.role.as_str().into();
                    detail["to"] = role.as_str().into();
                    if needs_approval(*role) && !needs_approval(user.role) {
                        flag_privileged(&mut detail, *approval);
                    }
                    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                        .bind(role.as_str())
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    user.role = *role;
                }
                Change::Post(post) => {
                    detail["from"] = user.post.as_deref().into();
                    detail["to"] = (*post).into();
                    sqlx::query("UPDATE users SET post_code = $1 WHERE id = $2").bind(*post).bind(id).execute(&mut *tx).await?;
                    user.post = post.map(str::to_owned);
                }
                Change::EndSessions => {}
            }
            let ended = if matches!(change, Change::Disabled(false)) {
                0
            } else {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
                    .bind(id)
                    .bind(keep.unwrap_or(-1))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
            };
            detail["sessions_ended"] = ended.into();
            let subject = format!("user:{id}");
            append_in_tx!(tx, self, actor, action, &subject, &detail.to_string()).await?;
            if let Some(rid) = request {
                let r = sqlx::query(APPROVE_SQL).bind(actor).bind(&now).bind(Some(id)).bind(rid).execute(&mut *tx).await?;
                if r.rows_affected() == 0 {
                    return Err(StoreError::Conflict(format!("account request {rid} is no longer pending")));
                }
                let detail = serde_json::json!({ "user": id }).to_string();
                append_in_tx!(tx, self, actor, "account_request_approved", &format!("account_request:{rid}"), &detail)
                    .await?;
            }
            tx.commit().await?;
            Ok(AccountChange { user, sessions_ended: ended })
        })
    }

    /// Disables (`user_disabled`: every session ends at once, the login
    /// refuses the account) or enables (`user_enabled`) user `id`.
    pub async fn set_user_disabled(&self, actor: &str, id: i64, disabled: bool) -> Result<AccountChange, StoreError> {
        let action = if disabled { "user_disabled" } else { "user_enabled" };
        self.apply(actor, id, Change::Disabled(disabled), action).await
    }

    /// An administrator's reset (`password_reset`): `temporary` (checked
    /// against the policy for the user's name and role) becomes the
    /// password, every session ends, and the next login may do nothing but
    /// change it.
    pub async fn reset_password(&self, actor: &str, id: i64, temporary: &str) -> Result<AccountChange, StoreError> {
        let user = self.user_by_id(id).await?.ok_or_else(|| StoreError::NotFound(format!("user {id}")))?;
        check_new_password(temporary, &user.username, user.role)?;
        let phc = hash_password(temporary).await?;
        self.apply(
            actor,
            id,
            Change::Password { phc, must_change: true, keep_session: None, approval: None },
            "password_reset",
        )
        .await
    }

    /// The user's own change (`password_changed`, by `user:<id>`): `current`
    /// must be their password (else [`StoreError::WrongPassword`] and a
    /// `password_change_failed` entry), `new` must pass the policy and
    /// differ from it. Every other session of the user ends; `keep_session`
    /// (the one asking) stays.
    pub async fn change_password(
        &self,
        id: i64,
        current: &str,
        new: &str,
        keep_session: Option<i64>,
    ) -> Result<AccountChange, StoreError> {
        let actor = format!("user:{id}");
        let (user, phc): (User, String) = {
            let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE id = $1"));
            on_pool!(self, p => {
                match sqlx::query(sql).bind(id).fetch_optional(p).await? {
                    Some(row) => (user_from(&row)?, row.try_get::<String, _>("password_hash")?),
                    None => return Err(StoreError::NotFound(format!("user {id}"))),
                }
            })
        };
        if current.len() > crate::MAX_PASSWORD_BYTES || !password_matches(current, phc).await {
            self.audit_append(&actor, "password_change_failed", &actor, r#"{"reason":"wrong_password"}"#).await?;
            return Err(StoreError::WrongPassword);
        }
        if current == new {
            return Err(crate::WeakPassword::Unchanged.into());
        }
        check_new_password(new, &user.username, user.role)?;
        let phc = hash_password(new).await?;
        self.apply(
            &actor,
            id,
            Change::Password { phc, must_change: false, keep_session, approval: None },
            "password_changed",
        )
        .await
    }

    /// Gives user `id` the role `role` (`user_role_changed`; the sessions
    /// end, so the new role holds at once). Direct: the server asks a
    /// second admin first for a privileged role ([`needs_approval`]); an
    /// unapproved elevation is flagged `"privileged": true, "approved":
    /// false` in the audit chain.
    pub async fn set_user_role(&self, actor: &str, id: i64, role: Role) -> Result<AccountChange, StoreError> {
        self.apply(actor, id, Change::Role { role, approval: None }, "user_role_changed").await
    }

    /// Binds user `id` to the border post `post`, or makes it country-wide
    /// (`None`) (`user_post_changed`; the sessions end).
    pub async fn set_user_post(&self, actor: &str, id: i64, post: Option<&str>) -> Result<AccountChange, StoreError> {
        self.apply(actor, id, Change::Post(post), "user_post_changed").await
    }

    /// Ends every session of user `id` (`user_sessions_ended`).
    pub async fn end_user_sessions(&self, actor: &str, id: i64) -> Result<AccountChange, StoreError> {
        self.apply(actor, id, Change::EndSessions, "user_sessions_ended").await
    }

    /// Asks for a new privileged account (`account_request_created`): the
    /// username, role and post are checked and the initial password hashed
    /// now; the account exists once another administrator approves.
    pub async fn request_account(
        &self,
        actor: &str,
        username: &str,
        role: Role,
        post: Option<&str>,
        password: &str,
    ) -> Result<AccountRequest, StoreError> {
        check_username(username)?;
        check_new_password(password, username, role)?;
        let phc = hash_password(password).await?;
        self.insert_request(actor, RequestKind::Create, username, None, role, post, Some(&phc)).await
    }

    /// Asks for user `id` to get the privileged role `role`
    /// (`account_request_created`).
    pub async fn request_role(&self, actor: &str, id: i64, role: Role) -> Result<AccountRequest, StoreError> {
        let user = self.user_by_id(id).await?.ok_or_else(|| StoreError::NotFound(format!("user {id}")))?;
        if user.role == role {
            return Err(StoreError::Conflict(format!("user {id} already has the role {role}")));
        }
        self.insert_request(actor, RequestKind::Role, &user.username, Some(id), role, user.post.as_deref(), None).await
    }

    /// Asks for the password of the protection or admin account `id` to be
    /// reset to `temporary` (`account_request_created`): checked and hashed
    /// now, set once another administrator approves.
    pub async fn request_reset(&self, actor: &str, id: i64, temporary: &str) -> Result<AccountRequest, StoreError> {
        let user = self.user_by_id(id).await?.ok_or_else(|| StoreError::NotFound(format!("user {id}")))?;
        check_new_password(temporary, &user.username, user.role)?;
        let phc = hash_password(temporary).await?;
        self.insert_request(
            actor,
            RequestKind::Reset,
            &user.username,
            Some(id),
            user.role,
            user.post.as_deref(),
            Some(&phc),
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_request(
        &self,
        actor: &str,
        kind: RequestKind,
        username: &str,
        user_id: Option<i64>,
        role: Role,
        post: Option<&str>,
        phc: Option<&str>,
    ) -> Result<AccountRequest, StoreError> {
        let backend = self.backend();
        let now = now_rfc3339();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            if kind == RequestKind::Create {
                let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
                    .bind(username)
                    .fetch_optional(&mut *tx)
                    .await?;
                if taken.is_some() {
                    return Err(StoreError::Conflict(format!("user '{username}' already exists")));
                }
            }
            let pending: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM account_requests WHERE status = 'pending' AND username = $1 LIMIT 1",
            )
            .bind(username)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(other) = pending {
                return Err(StoreError::Conflict(format!(
                    "request {other} for '{username}' is still pending: approve or reject it first"
                )));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO account_requests (kind, username, user_id, role, post_code, password_hash, requested_by, \
                 requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(kind.as_str())
            .bind(username)
            .bind(user_id)
            .bind(role.as_str())
            .bind(post)
            .bind(phc)
            .bind(actor)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            let detail = serde_json::json!({
                "kind": kind.as_str(), "user": user_id, "role": role.as_str(), "post": post, "privileged": true,
            });
            append_in_tx!(tx, self, actor, "account_request_created", &format!("account_request:{id}"), &detail.to_string())
                .await?;
            tx.commit().await?;
            Ok(AccountRequest {
                id,
                kind,
                username: username.to_owned(),
                user_id,
                role,
                post: post.map(str::to_owned),
                requested_by: actor.to_owned(),
                requested_at: now,
                status: RequestStatus::Pending,
                decided_by: None,
                decided_at: None,
            })
        })
    }

    /// The requests for privileged accounts, newest first; only the pending
    /// ones if `pending_only`.
    pub async fn account_requests(&self, pending_only: bool) -> Result<Vec<AccountRequest>, StoreError> {
        let filter = if pending_only { "WHERE status = 'pending'" } else { "" };
        let sql =
            sqlx::AssertSqlSafe(format!("SELECT {REQUEST_COLUMNS} FROM account_requests {filter} ORDER BY id DESC"));
        on_pool!(self, p => {
            let rows = sqlx::query(sql).fetch_all(p).await?;
            rows.iter().map(request_from).collect()
        })
    }

    /// The request with this id.
    pub async fn account_request(&self, id: i64) -> Result<Option<AccountRequest>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {REQUEST_COLUMNS} FROM account_requests WHERE id = $1"));
        on_pool!(self, p => {
            match sqlx::query(sql).bind(id).fetch_optional(p).await? {
                Some(row) => Ok(Some(request_from(&row)?)),
                None => Ok(None),
            }
        })
    }

    /// A second administrator's approval: creates the account (its
    /// `user_created` entry names the request and who asked) or changes the
    /// role (`user_role_changed`, sessions ended), then
    /// `account_request_approved`. Refused ([`StoreError::NotAllowed`]) to
    /// the administrator who asked and to the user the request raises.
    pub async fn approve_account_request(&self, actor: &str, id: i64) -> Result<(AccountRequest, User), StoreError> {
        let req = self.decidable(actor, id).await?;
        if req.requested_by == actor {
            return Err(StoreError::NotAllowed("a second administrator must approve: you made this request".into()));
        }
        if req.user_id.is_some_and(|u| format!("user:{u}") == actor) {
            return Err(StoreError::NotAllowed("no one approves their own elevation".into()));
        }
        let backend = self.backend();
        let now = now_rfc3339();
        let user = match req.kind {
            RequestKind::Role => {
                let user_id =
                    req.user_id.ok_or_else(|| StoreError::Corrupt(format!("account request {id}: no user")))?;
                self.apply_deciding(
                    actor,
                    user_id,
                    Change::Role { role: req.role, approval: Some((id, &req.requested_by)) },
                    "user_role_changed",
                    Some(id),
                )
                .await?
                .user
            }
            RequestKind::Reset => {
                let user_id =
                    req.user_id.ok_or_else(|| StoreError::Corrupt(format!("account request {id}: no user")))?;
                let phc: Option<String> = on_pool!(self, p => {
                    sqlx::query_scalar("SELECT password_hash FROM account_requests WHERE id = $1 AND status = 'pending'")
                        .bind(id)
                        .fetch_optional(p)
                        .await?
                        .flatten()
                });
                let phc =
                    phc.ok_or_else(|| StoreError::Conflict(format!("account request {id} is no longer pending")))?;
                let approval = Some((id, req.requested_by.as_str()));
                self.apply_deciding(
                    actor,
                    user_id,
                    Change::Password { phc, must_change: true, keep_session: None, approval },
                    "password_reset",
                    Some(id),
                )
                .await?
                .user
            }
            RequestKind::Create => {
                let detail = created_detail(req.role, req.post.as_deref(), Some((id, &req.requested_by)));
                on_pool!(self, p => {
                    let mut tx = p.begin_with(begin_write(backend)).await?;
                    let phc: Option<String> =
                        sqlx::query_scalar("SELECT password_hash FROM account_requests WHERE id = $1 AND status = 'pending'")
                            .bind(id)
                            .fetch_optional(&mut *tx)
                            .await?
                            .flatten();
                    let phc = phc.ok_or_else(|| StoreError::Conflict(format!("account request {id} is no longer pending")))?;
                    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
                        .bind(&req.username)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if taken.is_some() {
                        return Err(StoreError::Conflict(format!("user '{}' already exists", req.username)));
                    }
                    let user_id: i64 = sqlx::query_scalar(
                        "INSERT INTO users (username, role, post_code, password_hash, created_at) \
                         VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    )
                    .bind(&req.username)
                    .bind(req.role.as_str())
                    .bind(req.post.as_deref())
                    .bind(&phc)
                    .bind(&now)
                    .fetch_one(&mut *tx)
                    .await?;
                    append_in_tx!(tx, self, actor, "user_created", &user_id.to_string(), &detail).await?;
                    let r = sqlx::query(APPROVE_SQL)
                        .bind(actor)
                        .bind(&now)
                        .bind(Some(user_id))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    if r.rows_affected() == 0 {
                        return Err(StoreError::Conflict(format!("account request {id} is no longer pending")));
                    }
                    let approved = serde_json::json!({ "user": user_id }).to_string();
                    append_in_tx!(tx, self, actor, "account_request_approved", &format!("account_request:{id}"), &approved)
                        .await?;
                    tx.commit().await?;
                    User {
                        id: user_id,
                        username: req.username.clone(),
                        role: req.role,
                        post: req.post.clone(),
                        created_at: now.clone(),
                        disabled: false,
                        must_change_password: false,
                    }
                })
            }
        };
        let decided =
            self.account_request(id).await?.ok_or_else(|| StoreError::NotFound(format!("account request {id}")))?;
        Ok((decided, user))
    }

    /// Rejects (or, by who asked, withdraws) a pending request
    /// (`account_request_rejected`).
    pub async fn reject_account_request(&self, actor: &str, id: i64) -> Result<AccountRequest, StoreError> {
        let req = self.decidable(actor, id).await?;
        self.decide_request(actor, id, RequestStatus::Rejected, req.user_id).await
    }

    /// The request `id` if it is still pending.
    async fn decidable(&self, _actor: &str, id: i64) -> Result<AccountRequest, StoreError> {
        let req =
            self.account_request(id).await?.ok_or_else(|| StoreError::NotFound(format!("account request {id}")))?;
        if req.status != RequestStatus::Pending {
            return Err(StoreError::Conflict(format!("account request {id} is already {}", req.status.as_str())));
        }
        Ok(req)
    }

    /// Marks a pending request decided (its password hash removed) with
    /// the audit entry `account_request_<status>`.
    async fn decide_request(
        &self,
        actor: &str,
        id: i64,
        status: RequestStatus,
        user_id: Option<i64>,
    ) -> Result<AccountRequest, StoreError> {
        let backend = self.backend();
        let now = now_rfc3339();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let r = sqlx::query(
                "UPDATE account_requests SET status = $1, decided_by = $2, decided_at = $3, password_hash = NULL \
                 WHERE id = $4 AND status = 'pending'",
            )
            .bind(status.as_str())
            .bind(actor)
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::Conflict(format!("account request {id} is no longer pending")));
            }
            let action = format!("account_request_{}", status.as_str());
            let detail = serde_json::json!({ "user": user_id });
            append_in_tx!(tx, self, actor, &action, &format!("account_request:{id}"), &detail.to_string()).await?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        self.account_request(id).await?.ok_or_else(|| StoreError::NotFound(format!("account request {id}")))
    }
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::PasswordVerifier;

    use super::*;

    /// The in-place verification answers exactly as argon2's own, with its
    /// memory reused from one password to the next (and a hash asking for
    /// more memory than allowed never matches).
    #[test]
    fn verifying_in_place_agrees_with_argon2() {
        let phcs: Vec<String> = ["primera clave larga", "segunda clave larga"]
            .iter()
            .map(|p| Argon2::default().hash_password(p.as_bytes()).unwrap().to_string())
            .collect();
        for phc in &phcs {
            for guess in ["primera clave larga", "segunda clave larga", "", "otra"] {
                let theirs =
                    Argon2::default().verify_password(guess.as_bytes(), &PasswordHash::new(phc).unwrap()).is_ok();
                assert_eq!(verify_in_place(guess.as_bytes(), phc), theirs, "{guess}");
            }
        }
        assert!(!verify_in_place(b"x", "not a hash"));
        let greedy = phcs[0].replace("m=19456", "m=1048576");
        assert!(greedy.contains("m=1048576") && !verify_in_place(b"primera clave larga", &greedy));
    }
}
