//! Accounts and sessions: who may sign in, as what, where.
//!
//! An administrator lists, creates, disables and enables accounts, resets
//! passwords (the user must change it at the next login), changes roles and
//! post bindings, ends a user's sessions, and approves or rejects another
//! administrator's request for a protection or admin account. A user
//! changes their own password, signs in and out.
//!
//! The store audits every change in its own transaction and ends the
//! user's sessions there; reads of the user list are audited here. An
//! administrator cannot disable, re-role, re-post or reset themself
//! (another admin does), nor approve their own request. Whoever keeps
//! sessions in memory (the server) must forget the changed user's
//! ([`ChangeView::user`]).

use centinela_domain::Role;
use centinela_store::{AccountChange, AccountRequest, RequestStatus, StoreError, needs_approval};
use serde::Serialize;
use serde_json::json;

use crate::{App, AppError, Caller, User};

/// An account as an administrator sees it.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserView {
    pub id: i64,
    pub username: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "officer"))]
    pub role: Role,
    /// The border post's code; absent for country-wide users.
    pub post: Option<String>,
    pub created_at: String,
    pub disabled: bool,
    /// An administrator reset the password: the user must change it at
    /// the next login.
    pub must_change_password: bool,
}

impl From<centinela_store::User> for UserView {
    fn from(u: centinela_store::User) -> Self {
        UserView {
            id: u.id,
            username: u.username,
            role: u.role,
            post: u.post,
            created_at: u.created_at,
            disabled: u.disabled,
            must_change_password: u.must_change_password,
        }
    }
}

/// What an account change did.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeView {
    pub user: UserView,
    /// How many of the user's sessions ended.
    pub sessions_ended: u64,
}

impl From<AccountChange> for ChangeView {
    fn from(c: AccountChange) -> Self {
        ChangeView { user: c.user.into(), sessions_ended: c.sessions_ended }
    }
}

/// A request for a protection or admin account, waiting for (or decided
/// by) a second administrator.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestView {
    pub id: i64,
    /// `create` (a new account), `role` (raising an existing user) or
    /// `reset` (a privileged account's password).
    #[cfg_attr(feature = "openapi", schema(example = "create"))]
    pub kind: &'static str,
    pub username: String,
    /// The user raised (role requests), or created (once approved).
    pub user_id: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "protection"))]
    pub role: Role,
    pub post: Option<String>,
    /// The requesting administrator, `user:<id>`.
    pub requested_by: String,
    pub requested_at: String,
    /// `pending`, `approved` or `rejected`.
    #[cfg_attr(feature = "openapi", schema(example = "pending"))]
    pub status: &'static str,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

impl From<AccountRequest> for RequestView {
    fn from(r: AccountRequest) -> Self {
        RequestView {
            id: r.id,
            kind: r.kind.as_str(),
            username: r.username,
            user_id: r.user_id,
            role: r.role,
            post: r.post,
            requested_by: r.requested_by,
            requested_at: r.requested_at,
            status: r.status.as_str(),
            decided_by: r.decided_by,
            decided_at: r.decided_at,
        }
    }
}

/// An approved request and the account it made or changed.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApprovalView {
    pub request: RequestView,
    pub user: UserView,
}

/// What a change that may need a second administrator did: done at once,
/// or asked (a protection or admin account).
#[derive(Debug)]
pub enum Outcome<T> {
    Done(T),
    Requested(Box<RequestView>),
}

/// A user's post: a post code as the domain defines it.
pub fn check_post(post: &str) -> Result<(), AppError> {
    centinela_domain::check_post_code(post)
        .map_err(|_| AppError::Invalid("post: a post code is 2 to 40 capital letters, digits or '-'".into()))
}

/// Refuses an administrator's change to their own account: another admin
/// makes it (no one disables, re-roles or resets themself).
fn not_self(user: &User, id: i64) -> Result<(), AppError> {
    if user.id == id {
        return Err(AppError::Forbidden("another administrator must make this change to your own account".into()));
    }
    Ok(())
}

fn changed(change: AccountChange) -> ChangeView {
    tracing::info!(user = change.user.id, sessions = change.sessions_ended, "account changed");
    change.into()
}

impl App {
    /// Every account, by username. Audited (users' names are personal data).
    pub async fn users(&self, user: &User) -> Result<Vec<UserView>, AppError> {
        let users = self.store().users().await?;
        self.audit(Caller::User(user), "users_viewed", "users", json!({ "count": users.len() })).await?;
        Ok(users.into_iter().map(UserView::from).collect())
    }

    /// One account. Audited.
    pub async fn user(&self, user: &User, id: i64) -> Result<UserView, AppError> {
        let found = self.account(id).await?;
        self.audit(Caller::User(user), "user_viewed", format!("user:{id}"), json!({})).await?;
        Ok(found.into())
    }

    async fn account(&self, id: i64) -> Result<centinela_store::User, AppError> {
        self.store().user_by_id(id).await?.ok_or_else(|| AppError::NotFound(format!("no user {id}")))
    }

    /// Creates an account (argon2id password; the store audits
    /// `user_created`), or, for a protection or admin account, asks a
    /// second administrator.
    pub async fn create_user(
        &self,
        user: &User,
        username: &str,
        role: Role,
        post: Option<&str>,
        password: &str,
    ) -> Result<Outcome<UserView>, AppError> {
        centinela_store::check_username(username).map_err(|e| AppError::Invalid(format!("username: {e}")))?;
        centinela_store::check_new_password(password, username, role).map_err(StoreError::from)?;
        if let Some(post) = post {
            check_post(post)?;
        }
        if needs_approval(role) {
            let request = self.store().request_account(&user.actor(), username, role, post, password).await?;
            tracing::info!(user = user.id, request = request.id, role = role.as_str(), "privileged account requested");
            return Ok(Outcome::Requested(Box::new(request.into())));
        }
        let created = self.store().create_user(&user.actor(), username, role, post, password).await?;
        tracing::info!(user = user.id, created = created.id, role = role.as_str(), "user created");
        Ok(Outcome::Done(created.into()))
    }

    /// Changes the user's own password: their other sessions end, this one
    /// (`session_id`) stays. A wrong current password ends this session too
    /// (`token_hash`): guessing then needs a fresh login each time, which
    /// the login limits.
    pub async fn change_own_password(
        &self,
        user: &User,
        session_id: i64,
        token_hash: &[u8; 32],
        current: &str,
        new: &str,
    ) -> Result<ChangeView, AppError> {
        match self.store().change_password(user.id, current, new, Some(session_id)).await {
            Ok(change) => Ok(changed(change)),
            Err(StoreError::WrongPassword) => {
                self.store().delete_session(token_hash).await?;
                tracing::info!(user = user.id, "password change refused: wrong current password; session ended");
                Err(StoreError::WrongPassword.into())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Disables (the login refuses them, every session ends) or enables an
    /// account. An administrator cannot disable themself.
    pub async fn set_user_disabled(&self, user: &User, id: i64, disabled: bool) -> Result<ChangeView, AppError> {
        if disabled {
            not_self(user, id)?;
        }
        Ok(changed(self.store().set_user_disabled(&user.actor(), id, disabled).await?))
    }

    /// Resets a password to a temporary one (every session ends; the next
    /// login may only change it); for a protection or admin account, a
    /// request another administrator approves — else the admin who knows
    /// the temporary password could sign in as them first.
    pub async fn reset_password(&self, user: &User, id: i64, temporary: &str) -> Result<Outcome<ChangeView>, AppError> {
        not_self(user, id)?;
        let target = self.account(id).await?;
        if needs_approval(target.role) {
            let request = self.store().request_reset(&user.actor(), id, temporary).await?;
            tracing::info!(user = user.id, request = request.id, "privileged password reset requested");
            return Ok(Outcome::Requested(Box::new(request.into())));
        }
        Ok(Outcome::Done(changed(self.store().reset_password(&user.actor(), id, temporary).await?)))
    }

    /// Changes a role (the sessions end so it holds at once); raising a
    /// user to protection or admin is a request another administrator
    /// approves.
    pub async fn set_user_role(&self, user: &User, id: i64, role: Role) -> Result<Outcome<ChangeView>, AppError> {
        not_self(user, id)?;
        let target = self.account(id).await?;
        if needs_approval(role) && target.role != role {
            let request = self.store().request_role(&user.actor(), id, role).await?;
            tracing::info!(user = user.id, request = request.id, "privileged role requested");
            return Ok(Outcome::Requested(Box::new(request.into())));
        }
        Ok(Outcome::Done(changed(self.store().set_user_role(&user.actor(), id, role).await?)))
    }

    /// Binds a user to a border post, or makes them country-wide (`None`);
    /// the sessions end.
    pub async fn set_user_post(&self, user: &User, id: i64, post: Option<&str>) -> Result<ChangeView, AppError> {
        not_self(user, id)?;
        if let Some(p) = post {
            check_post(p)?;
        }
        Ok(changed(self.store().set_user_post(&user.actor(), id, post).await?))
    }

    /// Ends every session of a user (a lost device, a shared screen).
    pub async fn end_user_sessions(&self, user: &User, id: i64) -> Result<ChangeView, AppError> {
        Ok(changed(self.store().end_user_sessions(&user.actor(), id).await?))
    }

    /// The requests for protection and admin accounts, pending first
    /// (newest first within each). Audited.
    pub async fn account_requests(&self, user: &User) -> Result<Vec<RequestView>, AppError> {
        let mut all = self.store().account_requests(false).await?;
        all.sort_by_key(|r| (r.status != RequestStatus::Pending, -r.id));
        self.audit(Caller::User(user), "account_requests_viewed", "account_requests", json!({ "count": all.len() }))
            .await?;
        Ok(all.into_iter().map(RequestView::from).collect())
    }

    /// Approves another administrator's request: the account is created
    /// (with the password they set), raised or reset.
    pub async fn approve_account_request(&self, user: &User, id: i64) -> Result<ApprovalView, AppError> {
        let (request, account) = self.store().approve_account_request(&user.actor(), id).await?;
        tracing::info!(user = user.id, request = id, target = account.id, "account request approved");
        Ok(ApprovalView { request: request.into(), user: account.into() })
    }

    /// Rejects a pending request (the admin who made it may withdraw it so).
    pub async fn reject_account_request(&self, user: &User, id: i64) -> Result<RequestView, AppError> {
        Ok(self.store().reject_account_request(&user.actor(), id).await?.into())
    }
}

/// The longest password looked at when signing in; longer ones fail.
const MAX_PASSWORD_BYTES: usize = 1024;

/// Why a sign-in was refused, as the audit chain records it (with the
/// account's id when the username names one, never the username typed).
#[derive(Debug)]
pub struct SignInRefused {
    /// `unknown_user`, `bad_password` or `disabled`.
    pub reason: &'static str,
    pub account: Option<centinela_store::User>,
}

impl App {
    /// The account a username names, if it could be one (no database
    /// query for a username no account can have).
    pub async fn known_account(&self, username: &str) -> Result<Option<centinela_store::User>, AppError> {
        if centinela_store::check_username(username).is_err() {
            return Ok(None);
        }
        Ok(self.store().user_by_username(username).await?)
    }

    /// Checks a username and password: the account, or why not. A
    /// username no account can have (control characters, too long) is
    /// never sent to the database but costs the same hash, so that timing
    /// does not tell which accounts exist.
    pub async fn check_credentials(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Result<centinela_store::User, SignInRefused>, AppError> {
        let plausible = centinela_store::check_username(username).is_ok() && password.len() <= MAX_PASSWORD_BYTES;
        let verified = if plausible {
            self.store().verify_password(username, password).await?
        } else {
            self.store().verify_password_of_nobody(password).await;
            None
        };
        if let Some(account) = verified {
            return Ok(Ok(account));
        }
        let account = if plausible { self.store().user_by_username(username).await? } else { None };
        let reason = match &account {
            Some(u) if u.disabled => "disabled",
            Some(_) => "bad_password",
            None => "unknown_user",
        };
        Ok(Err(SignInRefused { reason, account }))
    }

    /// Opens a session for a signed-in account (its token stored only as
    /// `token_hash`), audited as `login` with the address it came from.
    pub async fn open_session(
        &self,
        account: &centinela_store::User,
        token_hash: &[u8; 32],
        expires_at: i64,
        address: Option<std::net::IpAddr>,
    ) -> Result<i64, AppError> {
        let session_id = self.store().create_session(account.id, token_hash, expires_at).await?;
        self.audit_as(
            &format!("user:{}", account.id),
            "login",
            format!("session:{session_id}"),
            json!({
                "role": account.role.as_str(), "post": account.post, "expires_at": expires_at,
                "address": address.map(|a| a.to_string()),
                "password_change_required": account.must_change_password,
            }),
        )
        .await?;
        tracing::info!(user = account.id, session = session_id, "login");
        Ok(session_id)
    }

    /// Ends the user's session `session_id` (stored as `token_hash`).
    /// Audited as `logout`.
    pub async fn close_session(&self, user: &User, session_id: i64, token_hash: &[u8; 32]) -> Result<(), AppError> {
        self.store().delete_session(token_hash).await?;
        self.audit(Caller::User(user), "logout", format!("session:{session_id}"), json!({})).await?;
        Ok(())
    }
}
