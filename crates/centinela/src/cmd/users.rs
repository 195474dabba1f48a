//! `centinela users …`: create users (argon2id passwords, read from standard
//! input), list them, and the rest of an account's life: disable, enable,
//! reset a password (the user must change it at the next login), change
//! one's own password, change a role or a post, end a user's sessions.
//! Storage, the password policy and the audit entries are
//! `centinela-store`'s.
//!
//! The console is the operator with the database in hand: its actor is
//! `system`, and it creates or raises protection and admin accounts
//! directly — the audit entry says `"privileged": true, "approved": false`
//! (through the server, a second administrator approves them).

use std::io::Read;
use std::process::ExitCode;

use anyhow::Context;
use centinela_domain::Role;
use centinela_store::User;
use serde_json::json;

use crate::Global;
use crate::cmd::{Unreadable, open_store};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create a user. The password is read from standard input (one line,
    /// at least 12 characters) and never printed. Writes an audit entry.
    Add(AddArgs),
    /// List the users: id, username, role, post, creation time, disabled.
    List {
        /// One JSON object per user instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Disable a user: the login refuses them and their sessions end.
    Disable(Target),
    /// Enable a disabled user.
    Enable(Target),
    /// Set a temporary password (from standard input) that the user must
    /// change at the next login; their sessions end.
    ResetPassword(WithPassword),
    /// Change a user's own password: standard input holds two lines, the
    /// current password and the new one. Their other sessions end.
    ChangePassword(WithPassword),
    /// Change a user's role; their sessions end.
    SetRole {
        username: String,
        /// officer, supervisor, analyst, protection, admin or auditor.
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// Bind a user to a border post (`--post CODE`) or make them
    /// country-wide (`--country-wide`); their sessions end.
    SetPost {
        username: String,
        #[arg(long, conflicts_with = "country_wide", required_unless_present = "country_wide")]
        post: Option<String>,
        #[arg(long)]
        country_wide: bool,
    },
    /// End every session of a user.
    EndSessions(Target),
}

#[derive(Debug, clap::Args)]
pub struct Target {
    /// The user's login name.
    username: String,
}

#[derive(Debug, clap::Args)]
pub struct WithPassword {
    /// The user's login name.
    username: String,
    /// Read the password(s) from standard input (required).
    #[arg(long, required = true)]
    password_stdin: bool,
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The login name (letters, digits, '.', '_', '-', '@'; at most 64).
    #[arg(long)]
    username: String,
    /// officer, supervisor, analyst, protection, admin or auditor.
    #[arg(long, value_parser = parse_role)]
    role: Role,
    /// The border post's code; without it the user is country-wide.
    #[arg(long)]
    post: Option<String>,
    /// Read the password from standard input (required: passwords are never
    /// taken from the command line).
    #[arg(long, required = true)]
    password_stdin: bool,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).map_err(|e| e.to_string())
}

pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    // Read the password before anything else touches standard input.
    let password = match &cmd {
        Command::Add(_) | Command::ResetPassword(_) => Some(read_password(std::io::stdin().lock())?),
        _ => None,
    };
    let pair = match &cmd {
        Command::ChangePassword(_) => Some(read_two_passwords(std::io::stdin().lock())?),
        _ => None,
    };
    let rt = crate::cmd::runtime()?;
    rt.block_on(async {
        match cmd {
            Command::Add(args) => add(args, &password.unwrap_or_default(), global).await,
            Command::List { json } => list(global, json).await,
            Command::ChangePassword(a) => {
                let (current, new) = pair.unwrap_or_default();
                change(
                    global,
                    &a.username,
                    |store, id| async move { store.change_password(id, &current, &new, None).await },
                )
                .await
            }
            Command::ResetPassword(a) => {
                let temp = password.unwrap_or_default();
                change(global, &a.username, |store, id| async move { store.reset_password("system", id, &temp).await })
                    .await
            }
            Command::Disable(t) => {
                change(global, &t.username, |s, id| async move { s.set_user_disabled("system", id, true).await }).await
            }
            Command::Enable(t) => {
                change(global, &t.username, |s, id| async move { s.set_user_disabled("system", id, false).await }).await
            }
            Command::SetRole { username, role } => {
                change(global, &username, |s, id| async move { s.set_user_role("system", id, role).await }).await
            }
            Command::SetPost { username, post, country_wide: _ } => {
                if let Some(p) = &post {
                    check_post(p)?;
                }
                change(global, &username, |s, id| async move { s.set_user_post("system", id, post.as_deref()).await })
                    .await
            }
            Command::EndSessions(t) => {
                change(global, &t.username, |s, id| async move { s.end_user_sessions("system", id).await }).await
            }
        }
    })
}

/// The password: standard input without its final line break; one line of
/// at least [`centinela_store::MIN_PASSWORD_CHARS`] characters.
fn read_password(mut input: impl Read) -> anyhow::Result<String> {
    let mut s = String::new();
    input
        .read_to_string(&mut s)
        .map_err(|e| Unreadable(format!("cannot read the password from standard input: {e}")))?;
    let s = s.strip_suffix('\n').map(|s| s.strip_suffix('\r').unwrap_or(s)).unwrap_or(&s);
    if s.contains(['\n', '\r']) {
        return Err(Unreadable("the password must be a single line on standard input".into()).into());
    }
    if s.is_empty() {
        return Err(Unreadable("no password on standard input (--password-stdin)".into()).into());
    }
    Ok(s.to_owned())
}

/// Two lines on standard input: the current password and the new one.
fn read_two_passwords(mut input: impl Read) -> anyhow::Result<(String, String)> {
    let mut s = String::new();
    input
        .read_to_string(&mut s)
        .map_err(|e| Unreadable(format!("cannot read the passwords from standard input: {e}")))?;
    let mut lines = s.lines();
    match (lines.next(), lines.next(), lines.next()) {
        (Some(current), Some(new), None) if !current.is_empty() && !new.is_empty() => {
            Ok((current.to_owned(), new.to_owned()))
        }
        _ => {
            Err(Unreadable("standard input must hold two lines: the current password, then the new one".into()).into())
        }
    }
}

/// Applies an account change to `username` and prints what it did.
async fn change<F, Fut>(global: &Global, username: &str, f: F) -> anyhow::Result<ExitCode>
where
    F: FnOnce(centinela_store::Store, i64) -> Fut,
    Fut: std::future::Future<Output = Result<centinela_store::AccountChange, centinela_store::StoreError>>,
{
    let store = open_store(global).await?;
    let Some(user) = store.user_by_username(username).await.context("reading the user")? else {
        store.close().await;
        return Err(Unreadable(format!("no user '{username}'")).into());
    };
    let result = f(store.clone(), user.id).await;
    store.close().await;
    let change = match result {
        Ok(c) => c,
        Err(e @ (centinela_store::StoreError::WeakPassword(_) | centinela_store::StoreError::WrongPassword)) => {
            return Err(Unreadable(e.to_string()).into());
        }
        Err(e) => return Err(anyhow::Error::new(e).context("changing the user")),
    };
    let u = &change.user;
    tracing::info!(user = u.id, sessions = change.sessions_ended, "account changed");
    println!(
        "user {}: {}, role {}, {}, {}{}; {} session(s) ended",
        u.id,
        u.username,
        u.role,
        u.post.as_deref().map_or_else(|| "country-wide".to_string(), |p| format!("post {p}")),
        if u.disabled { "disabled" } else { "active" },
        if u.must_change_password { ", must change the password" } else { "" },
        change.sessions_ended
    );
    Ok(ExitCode::SUCCESS)
}

fn check_post(post: &str) -> Result<(), Unreadable> {
    centinela_domain::check_post_code(post).map_err(|e| Unreadable(format!("--post: {e}")))
}

async fn add(args: AddArgs, password: &str, global: &Global) -> anyhow::Result<ExitCode> {
    centinela_store::check_username(&args.username).map_err(|e| Unreadable(e.to_string()))?;
    centinela_store::check_new_password(password, &args.username, args.role)
        .map_err(|e| Unreadable(format!("password refused: {e}")))?;
    if let Some(post) = &args.post {
        check_post(post)?;
    }
    let store = open_store(global).await?;
    // The command line is the administrator at the console: the software
    // itself is the actor.
    let user = store
        .create_user("system", &args.username, args.role, args.post.as_deref(), password)
        .await
        .context("creating the user")?;
    store.close().await;
    tracing::info!(user = user.id, role = user.role.as_str(), "user created");
    println!(
        "created user {}: {}, role {}, {}",
        user.id,
        user.username,
        user.role,
        user.post.as_deref().map_or_else(|| "country-wide".to_string(), |p| format!("post {p}"))
    );
    Ok(ExitCode::SUCCESS)
}

async fn list(global: &Global, json: bool) -> anyhow::Result<ExitCode> {
    let store = open_store(global).await?;
    let users = store.users().await.context("reading the users")?;
    store.close().await;
    if json {
        for u in &users {
            println!("{}", user_json(u));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if users.is_empty() {
        println!("no users");
        return Ok(ExitCode::SUCCESS);
    }
    let w = users.iter().map(|u| u.username.chars().count()).max().unwrap_or(0).max("username".len());
    println!("{:>5}  {:<w$}  {:<10}  {:<12}  {:<20}  status", "id", "username", "role", "post", "created");
    for u in &users {
        println!(
            "{:>5}  {:<w$}  {:<10}  {:<12}  {:<20}  {}",
            u.id,
            u.username,
            u.role.as_str(),
            u.post.as_deref().unwrap_or("-"),
            u.created_at,
            if u.disabled {
                "disabled"
            } else if u.must_change_password {
                "must change password"
            } else {
                "active"
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn user_json(u: &User) -> serde_json::Value {
    json!({
        "id": u.id,
        "username": u.username,
        "role": u.role.as_str(),
        "post": u.post,
        "created_at": u.created_at,
        "disabled": u.disabled,
        "must_change_password": u.must_change_password,
    })
}

#[cfg(test)]
mod tests {
    use super::read_password;

    #[test]
    fn passwords_from_stdin() {
        assert_eq!(read_password("a long passphrase\n".as_bytes()).unwrap(), "a long passphrase");
        assert_eq!(read_password(" spaces kept  \r\n".as_bytes()).unwrap(), " spaces kept  ");
        for bad in ["", "\n", "two lines here\nand more\n"] {
            let err = read_password(bad.as_bytes()).unwrap_err();
            assert!(err.is::<crate::cmd::Unreadable>(), "{bad:?}: {err}");
        }
    }
}
