//! `centinela notifications add|list|enable|disable|remove|test`: the
//! after-hours notifications of lookout hits (an HTTPS webhook signed with
//! an HMAC key, or an e-mail through an SMTP relay), per post and role,
//! through the use cases of `centinela-app`, audited as `cli`. A serving
//! installation sends them as hits are stored. Secrets are read from files
//! named here (`file:/path`), never given on the command line.

use std::process::ExitCode;

use centinela_app::notifications::AddNotification;
use centinela_app::{App, AppError, Caller};

use crate::Global;
use crate::cmd::{Unreadable, open_store};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Tell a webhook of the lookout hits at a post: JSON (lookout id,
    /// post, time, action; no personal data) signed with the key in
    /// `--secret-file`.
    AddWebhook {
        /// https://… (http only to 127.0.0.1).
        #[arg(long)]
        url: String,
        /// The file holding the HMAC key (read at each sending).
        #[arg(long)]
        secret_file: String,
        /// The post whose hits it is told of (default: every post).
        #[arg(long, default_value = "")]
        post: String,
        /// The role it stands for (protection: only lookouts that ask for
        /// a referral to protection).
        #[arg(long, default_value = "supervisor")]
        role: String,
    },
    /// Tell an e-mail address of the lookout hits at a post, through an
    /// SMTP relay.
    AddEmail {
        /// The recipient.
        #[arg(long)]
        to: String,
        /// The sender.
        #[arg(long)]
        from: String,
        /// smtps://host[:465], smtp://host[:587] (STARTTLS required) or
        /// smtp+plain://127.0.0.1:PORT (a relay on this machine).
        #[arg(long)]
        relay: String,
        /// A file holding the relay's user and password on two lines.
        #[arg(long)]
        credentials_file: Option<String>,
        #[arg(long, default_value = "")]
        post: String,
        #[arg(long, default_value = "supervisor")]
        role: String,
    },
    /// The targets, with their last outcome.
    List {
        #[arg(long)]
        json: bool,
    },
    Enable {
        id: i64,
    },
    Disable {
        id: i64,
    },
    Remove {
        id: i64,
    },
    /// Send a test message to a target now (exit 1 when it failed).
    Test {
        id: i64,
    },
}

/// `file:` and the absolute path of a file named on the command line.
fn file_ref(path: &str) -> Result<String, Unreadable> {
    let p = std::path::absolute(path).map_err(|e| Unreadable(format!("{path}: {e}")))?;
    if !p.is_file() {
        return Err(Unreadable(format!("{}: not a readable file", p.display())));
    }
    Ok(format!("file:{}", p.display()))
}

pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    crate::cmd::runtime()?.block_on(async {
        let app = App::new(open_store(global).await?);
        let added = |r: Result<centinela_store::NotificationTarget, AppError>| -> anyhow::Result<ExitCode> {
            match r {
                Err(AppError::Invalid(m)) => Err(Unreadable(m).into()),
                Err(e) => Err(e.into()),
                Ok(t) => {
                    println!("aviso {} añadido / notification {} added", t.id, t.id);
                    Ok(ExitCode::SUCCESS)
                }
            }
        };
        match cmd {
            Command::AddWebhook { url, secret_file, post, role } => {
                let secret = file_ref(&secret_file)?;
                let req = AddNotification {
                    post: &post,
                    role: &role,
                    kind: "webhook",
                    address: &url,
                    relay: "",
                    sender: "",
                    secret: &secret,
                };
                added(app.add_notification_target(Caller::Cli, &req).await)
            }
            Command::AddEmail { to, from, relay, credentials_file, post, role } => {
                let secret = credentials_file.as_deref().map(file_ref).transpose()?.unwrap_or_default();
                let req = AddNotification {
                    post: &post,
                    role: &role,
                    kind: "email",
                    address: &to,
                    relay: &relay,
                    sender: &from,
                    secret: &secret,
                };
                added(app.add_notification_target(Caller::Cli, &req).await)
            }
            Command::List { json } => {
                let all = app.notification_targets().await?;
                if json {
                    for t in &all {
                        println!("{}", serde_json::to_string(t)?);
                    }
                } else if all.is_empty() {
                    println!("ningún aviso / no notifications");
                } else {
                    println!("id\tkind\tpost\trole\taddress\tenabled\tlast_sent\tlast_error");
                    for t in &all {
                        println!(
                            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                            t.id,
                            t.kind,
                            if t.post.is_empty() { "*" } else { &t.post },
                            t.role,
                            t.address,
                            t.enabled,
                            t.last_sent_at.as_deref().unwrap_or("-"),
                            t.last_error
                        );
                    }
                }
                Ok(ExitCode::SUCCESS)
            }
            Command::Enable { id } | Command::Disable { id } => {
                let on = matches!(cmd, Command::Enable { .. });
                app.set_notification_target_enabled(Caller::Cli, id, on).await?;
                if on {
                    println!("aviso {id} activado / notification {id} enabled");
                } else {
                    println!("aviso {id} desactivado / notification {id} disabled");
                }
                Ok(ExitCode::SUCCESS)
            }
            Command::Remove { id } => {
                app.remove_notification_target(Caller::Cli, id).await?;
                println!("aviso {id} eliminado / notification {id} removed");
                Ok(ExitCode::SUCCESS)
            }
            Command::Test { id } => {
                let t = app.test_notification_target(Caller::Cli, id).await?;
                if t.sent {
                    println!("enviado en {} intento(s) / sent in {} attempt(s)", t.attempts, t.attempts);
                    Ok(ExitCode::SUCCESS)
                } else {
                    eprintln!(
                        "falló tras {} intento(s) / failed after {} attempt(s): {}",
                        t.attempts, t.attempts, t.error
                    );
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    })
}
