//! `centinela demo`: builds the synthetic country (crate `centinela-synth`)
//! into the database — posts at real crossing points, alert lists, a year
//! of crossings, demo users — prints the users' credentials and serves.
//!
//! Demo passwords are derived from the seed, so running the demo again on
//! the same database prints the same credentials and just serves. They are
//! for a synthetic country only.

use std::net::SocketAddr;
use std::process::ExitCode;

use std::collections::{HashMap, HashSet};

use anyhow::Context;
use centinela_app::User;
use centinela_domain::htcds::{Case, HistoricEvent, Perpetrator};
use centinela_domain::{CrossingRecord, Role};
use centinela_inspect::{PartyRequest, TravellerInput};
use centinela_store::{Actor, Answer, Decision, ListRows, NewPost, NewVersion, PostKind, Store};
use centinela_synth::{Config, Country, Rng, Scale, VictimKind};

use crate::Global;
use crate::cmd::{Unreadable, open_store};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The seed: the same seed gives the same country.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// `small` (seconds; for tests) or `full` (a year of a country's traffic).
    #[arg(long, default_value = "full")]
    pub scale: String,
    /// Build the country and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
    /// Where to serve (loopback by default).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
}

/// Letters and digits that cannot be mistaken for one another.
const PASSWORD_ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";

/// The demo password of `username` for `seed`: 12 random characters
/// (about 69 bits), drawn again in the unlikely case the password policy
/// refuses them for the strictest role, so every demo account passes it.
pub fn demo_password(seed: u64, username: &str) -> String {
    let tag = username.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let mut rng = Rng::new(seed ^ 0x6465_6d6f).fork(tag);
    loop {
        let pw = format!("demo-{}", rng.chars(PASSWORD_ALPHABET, 12));
        if centinela_store::check_new_password(&pw, username, Role::Admin).is_ok() {
            return pw;
        }
    }
}

pub fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let scale = Scale::parse(&args.scale)
        .ok_or_else(|| Unreadable(format!("--scale: '{}' is not a scale: expected small or full", args.scale)))?;
    let started = std::time::Instant::now();
    let country = centinela_synth::generate(&Config::new(args.seed, scale));
    tracing::info!(secs = started.elapsed().as_secs_f64(), crossings = country.crossings.len(), "country generated");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    rt.block_on(async {
        let store = open_store(global).await?;
        if store.posts().await?.is_empty() {
            load(&store, &country, args.seed).await?;
        } else {
            eprintln!("the database already holds a country: serving it as it is");
        }
        print_credentials(&country, args.seed);
        if args.no_serve {
            store.close().await;
            return Ok(ExitCode::SUCCESS);
        }
        let serve = crate::cmd::serve::Args {
            addr: args.addr,
            secure_cookies: false,
            session_hours: 12,
            idle_minutes: 30,
            purge_every_hours: 0,
            // A synthetic year need not be purged; `centinela serve` purges.
            retention: crate::cmd::purge::RetentionArgs::default(),
            centre: crate::cmd::sync::CentreArgs::default(),
            tls: crate::cmd::serve::TlsArgs::default(),
            trusted_proxies: Vec::new(),
            sync_interval: 30,
            db_replica: None,
        };
        crate::cmd::serve::serve(&serve, store).await?;
        Ok(ExitCode::SUCCESS)
    })
}

async fn load(store: &Store, country: &Country, seed: u64) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    for p in &country.posts {
        let kind = match p.kind {
            centinela_synth::PostKind::Land => PostKind::Land,
            centinela_synth::PostKind::Air => PostKind::Air,
            centinela_synth::PostKind::Sea => PostKind::Sea,
        };
        let facing = p.facing.map(|c| c.as_str().to_string()).unwrap_or_default();
        let np = NewPost { code: &p.code, name: &p.name, country: p.country, facing: &facing, kind };
        store.add_post("system", &np).await.with_context(|| format!("creating post {}", p.code))?;
    }
    for l in &country.lists {
        let rows = if l.documents.is_empty() {
            ListRows::Entries(l.entries.clone())
        } else {
            ListRows::Documents(l.documents.clone())
        };
        let nv = NewVersion {
            list: &l.name,
            kind: l.kind,
            source: Some(&l.source),
            file_name: "centinela-synth",
            format: "synthetic",
            rows_read: rows.len() as u64,
            rows_skipped: 0,
            keep_old_versions: false,
        };
        store.import_version(&nv, &rows).await.with_context(|| format!("importing list {}", l.name))?;
    }
    let today = held_back(country);
    let history: Vec<CrossingRecord> =
        country.crossings.iter().filter(|c| !today.contains(c.crossing_id.as_str())).cloned().collect();
    store.import_crossings("system", &history).await.context("importing the crossings")?;
    for u in &country.users {
        store
            .create_user("system", &u.username, u.role, u.post.as_deref(), &demo_password(seed, &u.username))
            .await
            .with_context(|| format!("creating user {}", u.username))?;
    }
    let (referrals, cases) = protection(store, country, &today).await?;
    let (inspections, hits) = booth_day(store, country, &today).await?;
    eprintln!(
        "demo country built in {:.1} s: {} posts, {} lists, {} crossings, {} users, {} referrals, {} cases, \
         {} inspections today with {} hits",
        started.elapsed().as_secs_f64(),
        country.posts.len(),
        country.lists.len(),
        history.len(),
        country.users.len(),
        referrals,
        cases,
        inspections,
        hits
    );
    Ok(())
}

/// The crossings kept out of the imported history to be inspected at the
/// booths when the demo starts: the last day of the synthetic year and the
/// latest crossing of every listed person, with their travel parties — so
/// that supervisors find real hits waiting for adjudication.
fn held_back(country: &Country) -> HashSet<&str> {
    let Some(last) = country.crossings.last() else {
        return HashSet::new();
    };
    let cutoff = last.crossed_at.unix_seconds() - 24 * 3600;
    let listed: HashSet<&str> = country.truth.listed.iter().map(|l| l.person_id.as_str()).collect();
    let mut latest: HashMap<&str, &CrossingRecord> = HashMap::new();
    for c in &country.crossings {
        if let Some(p) = country.truth.person_of(&c.crossing_id).filter(|p| listed.contains(p)) {
            latest.insert(p, c);
        }
    }
    let mut groups: HashSet<&str> = HashSet::new();
    let mut ids: HashSet<&str> = HashSet::new();
    for c in country.crossings.iter().filter(|c| c.crossed_at.unix_seconds() >= cutoff).chain(latest.into_values()) {
        ids.insert(&c.crossing_id);
        if !c.group_id.is_empty() {
            groups.insert(&c.group_id);
        }
    }
    ids.extend(
        country.crossings.iter().filter(|c| groups.contains(c.group_id.as_str())).map(|c| c.crossing_id.as_str()),
    );
    ids
}

/// Inspects the held-back crossings, party by party in time order, through
/// the server's inspection pipeline (document checks, screening, rules,
/// stored with their hits and audit entries), each by an officer of its
/// post. Returns (inspections, hits).
async fn booth_day(store: &Store, country: &Country, today: &HashSet<&str>) -> anyhow::Result<(usize, usize)> {
    let app = centinela_app::App::new(store.clone());
    app.reload_lists(None).await.context("loading the alert lists")?;
    let users = store.users().await?;
    let mut parties: Vec<Vec<&CrossingRecord>> = Vec::new();
    let mut party_of: HashMap<&str, usize> = HashMap::new();
    for c in country.crossings.iter().filter(|c| today.contains(c.crossing_id.as_str())) {
        match party_of.get(c.group_id.as_str()).filter(|_| !c.group_id.is_empty()) {
            Some(&i) => parties[i].push(c),
            None => {
                party_of.insert(&c.group_id, parties.len());
                parties.push(vec![c]);
            }
        }
    }
    let (mut inspections, mut hits) = (0, 0);
    for party in parties {
        let lead = party[0];
        let Some(officer) = users.iter().find(|u| u.role == Role::Officer && u.post.as_deref() == Some(&lead.post))
        else {
            continue;
        };
        let user =
            User { id: officer.id, username: officer.username.clone(), role: officer.role, post: officer.post.clone() };
        let req = PartyRequest {
            post: lead.post.clone(),
            direction: lead.direction,
            vehicle: (!lead.vehicle.is_empty()).then(|| lead.vehicle.clone()),
            group_id: None,
            travellers: party.iter().map(|c| typed(c)).collect(),
        };
        let answer = app.inspect(&user, &req).await.context("inspecting a demo party")?;
        inspections += answer.travellers.len();
        hits += answer.travellers.iter().map(|t| t.hit_ids.len()).sum::<usize>();
    }
    Ok((inspections, hits))
}

/// A crossing as an officer types it at the booth.
fn typed(c: &CrossingRecord) -> TravellerInput {
    let text = |s: &str| (!s.is_empty()).then(|| s.to_string());
    TravellerInput {
        given_names: text(&c.given_names),
        surnames: text(&c.surnames),
        birth_date: c.birth_date.map(|b| b.to_string()),
        nationality: c.nationality.map(|n| n.as_str().to_string()),
        sex: text(c.sex.as_str()),
        document_type: text(&c.document_type),
        document_number: c.document_number.as_ref().map(|d| d.as_str().to_string()),
        issuing_state: c.issuing_state.map(|s| s.as_str().to_string()),
        phone: text(&c.phone),
        address: text(&c.address),
        destination: text(&c.destination),
        ..TravellerInput::default()
    }
}

/// The most planted victims referred to protection in the demo.
const MAX_REFERRALS: usize = 42;

/// The protection unit's work on the planted victims, the same for a
/// seed: each victim's first crossing referred to protection by an officer
/// of its post, with the indicators that fit how the victim travelled;
/// every fifth referral declined, the rest accepted into cases; the cases
/// of trafficked victims filled in (control, exploitation, the escort as a
/// perpetrator, recruitment and transit), every fourth case closed.
/// Returns (referrals, cases).
async fn protection(store: &Store, country: &Country, today: &HashSet<&str>) -> anyhow::Result<(usize, usize)> {
    let users = store.users().await?;
    let Some(prot) = users.iter().find(|u| u.role == Role::Protection) else {
        return Ok((0, 0));
    };
    let prot_name = format!("user:{}", prot.id);
    let prot_actor = Actor { user_id: prot.id, username: &prot_name, role: Role::Protection };
    let mut first_crossing: std::collections::HashMap<&str, &centinela_domain::CrossingRecord> =
        std::collections::HashMap::new();
    for c in country.crossings.iter().filter(|c| !today.contains(c.crossing_id.as_str())) {
        if let Some(p) = country.truth.person_of(&c.crossing_id) {
            first_crossing.entry(p).or_insert(c);
        }
    }
    let (mut referrals, mut cases) = (0, 0);
    // At most a third of the referrals of each kind of victim.
    let mut chosen = Vec::new();
    for kind in [VictimKind::Trafficked, VictimKind::SmuggledMinor, VictimKind::MinorWithNonRelative] {
        chosen.extend(country.truth.victims.iter().filter(|v| v.kind == kind).take(MAX_REFERRALS / 3));
    }
    for (i, v) in chosen.into_iter().enumerate() {
        let Some(c) = first_crossing.get(v.person_id.as_str()) else { continue };
        let Some(officer) = users
            .iter()
            .find(|u| u.role == Role::Officer && u.post.as_deref() == Some(c.post.as_str()))
            .or_else(|| users.iter().find(|u| u.role == Role::Officer))
        else {
            continue;
        };
        let (codes, reason): (&[&str], &str) = match v.kind {
            VictimKind::Trafficked => (&["T5", "T8"], "oferta de empleo en el extranjero; respuestas ensayadas"),
            VictimKind::SmuggledMinor => (&["T1", "T10"], "menor sin padre ni tutor en un grupo con un guía"),
            VictimKind::MinorWithNonRelative => (&["T1"], "menor con un adulto que no es su padre ni tutor"),
        };
        let flags: Vec<serde_json::Value> = codes
            .iter()
            .map(|c| serde_json::json!({ "code": c, "kind": "possible_victim", "reason": reason }))
            .collect();
        let indicators = serde_json::json!({ "flags": flags, "hits": [] });
        let officer_name = format!("user:{}", officer.id);
        let actor = Actor { user_id: officer.id, username: &officer_name, role: Role::Officer };
        store
            .decide_with_indicators(actor, &c.crossing_id, Decision::ReferToProtection, reason, Some(indicators))
            .await
            .context("recording a demo referral")?;
        referrals += 1;
        // The newest referral is this one.
        let Some(r) = store.referrals(true, 1).await?.pop() else { continue };
        if i % 5 == 4 {
            store
                .answer_referral(prot_actor, &prot.username, r.id, Answer::Decline, "sin indicios tras la entrevista")
                .await?;
            continue;
        }
        let a = store
            .answer_referral(prot_actor, &prot.username, r.id, Answer::Accept(None), "entrevista inicial con indicios")
            .await?;
        let Some(case_id) = a.case_id else { continue };
        cases += 1;
        let Some(stored) = store.case(case_id).await? else { continue };
        let mut rec = stored.record;
        if v.kind == VictimKind::Trafficked {
            rec.victim.trafficking_status = "ActualVictimOfTrafficking".into();
            rec.victim.trafficking_status_decision_making_org = "NonPoliceGovernmentalOrganization".into();
            rec.victim.method_of_recruitment = vec!["ThroughOnlineSocialNetworks".into()];
            rec.victim.recruitment_websites_and_apps = vec!["Facebook".into(), "WhatsApp".into()];
            rec.victim.methods_of_control =
                vec!["FalsePromises".into(), "DebtBondage".into(), "WithholdsDocuments".into()];
            rec.victim.type_of_exploitation =
                vec![if i % 2 == 0 { "SexualExploitation" } else { "ForcedLabour" }.into()];
            rec.perpetrators.push(Perpetrator {
                first_name: country
                    .truth
                    .persons
                    .iter()
                    .find(|p| p.person_id == v.escort_id)
                    .map(|p| format!("{} {}", p.given_names, p.surnames))
                    .unwrap_or_default(),
                role_in_process: vec!["TravellingPartner".into(), "RecruiterOrIntermediary".into()],
                ..Perpetrator::default()
            });
        } else {
            rec.victim.vulnerabilities = vec!["Migration".into(), "Poverty".into()];
        }
        rec.events.push(HistoricEvent {
            kind: "Transit".into(),
            date: c.crossed_at.to_string().get(..10).unwrap_or("").to_string(),
            country: c.nationality.map(|n| n.as_str().to_string()).unwrap_or_default(),
            description: format!("cruce por {}", c.post),
            ..HistoricEvent::default()
        });
        rec.consent.consent = true;
        rec.victim.agreement_to_manage_personal_data = true;
        if i % 4 == 3 {
            rec.case.status = "Closed".into();
            rec.case.reason_for_case_closure = "retorno asistido y seguimiento concluido".into();
        }
        let case = Case::parse(rec).context("a demo case")?;
        store.update_case(prot_actor, case_id, stored.version, &case).await?;
    }
    Ok((referrals, cases))
}

/// One user per role, and the officers and supervisor of the first post
/// (all users are listed by `centinela users list`).
fn print_credentials(country: &Country, seed: u64) {
    println!("Usuarios de demostración / demo users (contraseñas solo para este país sintético):");
    let first_post = country.posts.first().map(|p| p.code.as_str());
    let mut shown_roles: Vec<Role> = Vec::new();
    for u in &country.users {
        let show = u.post.is_none() && !shown_roles.contains(&u.role) || u.post.as_deref() == first_post;
        if show {
            shown_roles.push(u.role);
            println!(
                "  {:<28} {:<11} {:<22} {}",
                u.username,
                u.role.as_str(),
                u.post.as_deref().unwrap_or("(todo el país)"),
                demo_password(seed, &u.username)
            );
        }
    }
    println!("  … {} usuarios en total: `centinela users list`", country.users.len());
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_long_deterministic_and_distinct() {
        let a = super::demo_password(1, "admin");
        assert_eq!(a, super::demo_password(1, "admin"));
        assert_ne!(a, super::demo_password(2, "admin"));
        assert_ne!(a, super::demo_password(1, "auditor"));
        assert!(a.chars().count() >= centinela_store::MIN_PASSWORD_CHARS);
    }

    /// Every demo account's password passes the policy for its role (the
    /// demo prints them; `create_user` would refuse a weak one).
    #[test]
    fn passwords_pass_the_policy() {
        let country = centinela_synth::generate(&centinela_synth::Config::new(1, centinela_synth::Scale::Small));
        assert!(country.users.iter().any(|u| u.role == centinela_domain::Role::Admin));
        for seed in 1..=5 {
            for u in &country.users {
                let pw = super::demo_password(seed, &u.username);
                centinela_store::check_new_password(&pw, &u.username, u.role).unwrap();
            }
        }
    }
}
