//! `centinela users …`: create users (argon2id passwords, read from standard
//! input) and list them. Storage and hashing are `centinela-store`.

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
        Command::Add(_) => Some(read_password(std::io::stdin().lock())?),
        Command::List { .. } => None,
    };
    let rt = crate::cmd::runtime()?;
    rt.block_on(async {
        match cmd {
            Command::Add(args) => add(args, &password.unwrap_or_default(), global).await,
            Command::List { json } => list(global, json).await,
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

fn check_post(post: &str) -> Result<(), Unreadable> {
    let ok = !post.is_empty() && post.len() <= 32 && post.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok { Ok(()) } else { Err(Unreadable(format!("--post '{post}' is not a post code (letters, digits, '-')"))) }
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
            if u.disabled { "disabled" } else { "active" }
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
