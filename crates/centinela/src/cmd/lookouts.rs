//! `centinela lookouts issue|list|cancel|hits`: lookouts at the command
//! line of the machine holding the database (the centre, usually), acting
//! as `cli`. Issuing and cancelling are audited by the store and reach the
//! posts on their next long poll (a serving centre must be the one that
//! issues for posts to hear at once: a lookout issued here while `serve`
//! runs elsewhere on the same database reaches them on its next change or
//! within the poll's 25 s). Listing is audited.

use std::process::ExitCode;

use centinela_app::{App, Caller};
use centinela_domain::LookoutInput;
use centinela_store::LookoutHitFilter;

use crate::Global;
use crate::cmd::{open_store, runtime};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Issue a lookout on a person, a document, a vehicle or a phone.
    Issue(Box<IssueArgs>),
    /// Lookouts, newest first, one per line (tab-separated): id, state,
    /// kind, subject, action, valid until, issued by, reason. In force or
    /// pending only unless --all.
    List {
        #[arg(long)]
        all: bool,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// JSON instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Cancel a lookout issued here.
    Cancel {
        uid: String,
        #[arg(long)]
        reason: String,
    },
    /// Lookout hits, newest first (tab-separated): id, at, post, lookout,
    /// kind, crossing, action, reason.
    Hits {
        /// Only this lookout's.
        #[arg(long)]
        lookout: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct IssueArgs {
    /// person, document, vehicle or phone.
    #[arg(long)]
    pub kind: String,
    #[arg(long)]
    pub given_names: Option<String>,
    #[arg(long)]
    pub surnames: Option<String>,
    /// YYYY, YYYY-MM or YYYY-MM-DD.
    #[arg(long)]
    pub birth_date: Option<String>,
    #[arg(long)]
    pub nationality: Option<String>,
    #[arg(long)]
    pub document_number: Option<String>,
    #[arg(long)]
    pub issuing_state: Option<String>,
    #[arg(long)]
    pub plate: Option<String>,
    /// The plate's country.
    #[arg(long)]
    pub country: Option<String>,
    /// E.164, e.g. +50255551234.
    #[arg(long)]
    pub phone: Option<String>,
    /// Why: shown at the booth.
    #[arg(long)]
    pub reason: String,
    /// secondary_inspection, refer_to_protection, notify or detain_per_law.
    #[arg(long, default_value = "secondary_inspection")]
    pub action: String,
    /// Hours it stays in force (at most 2160).
    #[arg(long, default_value_t = 24)]
    pub hours: i64,
    /// Only at these posts (repeat).
    #[arg(long = "post")]
    pub posts: Vec<String>,
    /// Only at the posts of this country.
    #[arg(long)]
    pub scope_country: Option<String>,
    /// User names told of each hit (repeat).
    #[arg(long)]
    pub notify: Vec<String>,
}

fn line(s: &str) -> String {
    s.replace(['\t', '\n'], " ")
}

pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    let rt = runtime()?;
    rt.block_on(async {
        let store = open_store(global).await?;
        let app = App::new(store.clone());
        let out = match cmd {
            Command::Issue(a) => {
                let IssueArgs {
                    kind,
                    given_names,
                    surnames,
                    birth_date,
                    nationality,
                    document_number,
                    issuing_state,
                    plate,
                    country,
                    phone,
                    reason,
                    action,
                    hours,
                    posts,
                    scope_country,
                    notify,
                } = *a;
                let input = LookoutInput {
                    kind,
                    given_names,
                    surnames,
                    birth_date,
                    nationality,
                    document_number,
                    issuing_state,
                    plate,
                    country,
                    phone,
                    reason,
                    action,
                    valid_from: None,
                    valid_until: None,
                    valid_hours: Some(hours),
                    scope_posts: posts,
                    scope_country,
                    notify,
                };
                let l = app.issue_lookout(Caller::Cli, &input).await?;
                println!("{}", l.lookout.uid);
                eprintln!("emitida / issued: en vigor hasta / in force until {}", l.lookout.valid_until);
                ExitCode::SUCCESS
            }
            Command::List { all, limit, json } => {
                let found = app.lookouts(Caller::Cli, all, limit).await?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&found)?);
                } else {
                    for l in &found {
                        println!(
                            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                            l.lookout.uid,
                            l.state,
                            l.lookout.subject.kind(),
                            line(&l.subject_text),
                            l.lookout.action.as_str(),
                            l.lookout.valid_until,
                            l.lookout.issued_by,
                            line(&l.lookout.reason)
                        );
                    }
                    eprintln!("{} alerta(s) / lookout(s)", found.len());
                }
                ExitCode::SUCCESS
            }
            Command::Cancel { uid, reason } => {
                let l = app.cancel_lookout(Caller::Cli, uid.trim(), &reason).await?;
                println!("cancelada / cancelled: {}", l.lookout.uid);
                ExitCode::SUCCESS
            }
            Command::Hits { lookout, limit, json } => {
                let filter = LookoutHitFilter { lookout_uid: lookout, post: None, after_id: 0, limit };
                let hits = app.lookout_hits(Caller::Cli, filter).await?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&hits)?);
                } else {
                    for h in &hits {
                        println!(
                            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                            h.id,
                            h.at,
                            h.post,
                            h.lookout_uid,
                            h.kind,
                            h.crossing_id,
                            h.action,
                            line(&h.reason)
                        );
                    }
                    eprintln!("{} coincidencia(s) / hit(s)", hits.len());
                }
                ExitCode::SUCCESS
            }
        };
        store.close().await;
        anyhow::Ok(out)
    })
}
