//! `centinela demo`: builds the synthetic country (crate `centinela-synth`)
//! into the database — posts at real crossing points, alert lists, a year
//! of crossings, demo users — prints the users' credentials and serves.
//!
//! The country is deterministic from the seed; the demo users' passwords are
//! not: they come from the operating system's random generator (the source
//! and the seed are public), are written once to the passwords file beside
//! the database (`<db>.demo-users`, mode 0600; `centinela-demo-users.txt` in
//! the current directory for a PostgreSQL URL) and printed again by
//! `centinela demo --users`. Running the demo on a database that already
//! holds the same seed's country just serves it; on another country it
//! refuses unless `--force`, which deletes a SQLite database and builds anew.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::collections::{HashMap, HashSet};

use anyhow::{Context, bail};
use centinela_app::User;
use centinela_domain::htcds::{Case, HistoricEvent, Perpetrator};
use centinela_domain::{CrossingRecord, Role};
use centinela_inspect::{PartyRequest, TravellerInput};
use centinela_store::{Actor, Answer, Backend, Decision, ListRows, NewListImage, NewPost, NewVersion, PostKind, Store};
use centinela_synth::{Config, Country, Scale, VictimKind};
use indicatif::ProgressBar;

use crate::Global;
use crate::cmd::{Unreadable, open_store};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The seed: the same seed gives the same country (not the same passwords).
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
    /// When the database holds another country (another seed or scale):
    /// delete it (SQLite) and build this one. Without it the demo refuses.
    #[arg(long)]
    pub force: bool,
    /// Print every demo user and password from the passwords file, and exit.
    #[arg(long, conflicts_with_all = ["force", "no_serve"])]
    pub users: bool,
}

/// Letters and digits that cannot be mistaken for one another.
const PASSWORD_ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A new demo password for `username`: 12 characters drawn from the
/// operating system's random generator (about 69 bits), drawn again in the
/// unlikely case the password policy refuses them for the strictest role.
pub fn demo_password(username: &str) -> anyhow::Result<String> {
    loop {
        let mut bytes = [0u8; 64];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for the demo passwords: {e}"))?;
        // Rejection sampling keeps every character equally likely.
        let limit = 256 - 256 % PASSWORD_ALPHABET.len();
        let chars: String = bytes
            .iter()
            .filter(|&&b| usize::from(b) < limit)
            .take(12)
            .map(|&b| char::from(PASSWORD_ALPHABET[usize::from(b) % PASSWORD_ALPHABET.len()]))
            .collect();
        if chars.len() < 12 {
            continue;
        }
        let pw = format!("demo-{chars}");
        if centinela_store::check_new_password(&pw, username, Role::Admin).is_ok() {
            return Ok(pw);
        }
    }
}

/// The passwords file for the database `db`: `<db>.demo-users` beside a
/// SQLite file, `centinela-demo-users.txt` in the current directory for a
/// PostgreSQL URL.
pub fn passwords_file(db: &str) -> PathBuf {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        return PathBuf::from("centinela-demo-users.txt");
    }
    let file = sqlite_file(db);
    PathBuf::from(format!("{}.demo-users", file.display()))
}

/// The file of a SQLite `--db` (a path or a `sqlite:` URL).
fn sqlite_file(db: &str) -> PathBuf {
    let file = db.strip_prefix("sqlite://").or_else(|| db.strip_prefix("sqlite:")).unwrap_or(db);
    PathBuf::from(file.split('?').next().unwrap_or(file))
}

/// One line of the passwords file.
struct Credential {
    username: String,
    role: String,
    post: String,
    password: String,
}

const FILE_HEADER: &str = "# Centinela: usuarios de demostración / demo users (país sintético; synthetic country only)\n\
                           # usuario / username, rol / role, puesto / post, contraseña / password\n";

fn write_passwords(path: &Path, creds: &[Credential]) -> anyhow::Result<()> {
    let mut text = String::from(FILE_HEADER);
    for c in creds {
        text.push_str(&format!("{:<28} {:<11} {:<22} {}\n", c.username, c.role, c.post, c.password));
    }
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("replacing {}", path.display())),
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).with_context(|| format!("creating the passwords file {}", path.display()))?;
    f.write_all(text.as_bytes()).and_then(|()| f.sync_all()).with_context(|| format!("writing {}", path.display()))
}

fn read_passwords(path: &Path) -> anyhow::Result<Vec<Credential>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading the passwords file {}", path.display()))?;
    let mut creds = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (Some(username), Some(role), Some(password)) = (fields.first(), fields.get(1), fields.last()) else {
            bail!("{}:{}: not a demo user's line", path.display(), i + 1);
        };
        if fields.len() < 4 {
            bail!("{}:{}: not a demo user's line", path.display(), i + 1);
        }
        creds.push(Credential {
            username: username.to_string(),
            role: role.to_string(),
            post: fields[2..fields.len() - 1].join(" "),
            password: password.to_string(),
        });
    }
    Ok(creds)
}

/// The most entries of one demo list given a synthetic photo.
const DEMO_PORTRAITS_PER_LIST: usize = 5_000;

/// What the database holds, compared with the country of this seed and scale.
enum Holds {
    Nothing,
    ThisCountry,
    Another,
}

/// Whether the database holds this country: a few of its imported
/// crossings (first, middle, last) stored with the same traveller.
async fn holds(store: &Store, history: &[&CrossingRecord]) -> anyhow::Result<Holds> {
    if store.posts().await?.is_empty() {
        return Ok(Holds::Nothing);
    }
    if history.is_empty() {
        return Ok(Holds::Another);
    }
    for c in [history[0], history[history.len() / 2], history[history.len() - 1]] {
        match store.crossing(&c.crossing_id).await? {
            Some(s)
                if s.record.surnames == c.surnames
                    && s.record.given_names == c.given_names
                    && s.record.document_number == c.document_number
                    && s.record.crossed_at == c.crossed_at => {}
            _ => return Ok(Holds::Another),
        }
    }
    Ok(Holds::ThisCountry)
}

/// Removes a SQLite database with its journal files and its passwords file
/// (the audit key beside it stays: it seals the new log as well).
fn remove_sqlite(db: &str) -> anyhow::Result<()> {
    let file = sqlite_file(db);
    for suffix in ["", "-wal", "-shm", "-journal", ".demo-users"] {
        let p = PathBuf::from(format!("{}{suffix}", file.display()));
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {}", p.display())),
        }
    }
    Ok(())
}

/// The progress bar of the build, drawn only on a terminal.
fn build_bar() -> ProgressBar {
    use indicatif::{ProgressDrawTarget, ProgressStyle};
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed:>4} {msg:<46} [{bar:30}] {pos}/{len}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// A phase of the build: its message and how many steps it has.
fn phase(bar: &ProgressBar, msg: &str, len: u64) {
    bar.set_position(0);
    bar.set_length(len);
    bar.set_message(msg.to_string());
}

pub fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let file = passwords_file(&global.db);
    if args.users {
        let creds = read_passwords(&file).with_context(|| {
            format!(
                "no hay contraseñas de demostración para {db}: construya la demo primero / no demo passwords \
                 for {db}: build the demo first",
                db = centinela_store::redact(&global.db)
            )
        })?;
        let mut out = std::io::stdout().lock();
        let mut text = format!("Usuarios de demostración / demo users ({}):\n", file.display());
        for c in &creds {
            text.push_str(&format!("  {:<28} {:<11} {:<22} {}\n", c.username, c.role, c.post, c.password));
        }
        // A reader that stops early (`| head`) is not an error.
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(e) => return Err(e).context("writing to standard output"),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let scale = Scale::parse(&args.scale)
        .ok_or_else(|| Unreadable(format!("--scale: '{}' is not a scale: expected small or full", args.scale)))?;
    let bar = build_bar();
    phase(&bar, "generando el país / generating the country", 1);
    let started = std::time::Instant::now();
    let country = centinela_synth::generate(&Config::new(args.seed, scale));
    tracing::info!(secs = started.elapsed().as_secs_f64(), crossings = country.crossings.len(), "country generated");
    let today = held_back(&country);
    let history: Vec<&CrossingRecord> =
        country.crossings.iter().filter(|c| !today.contains(c.crossing_id.as_str())).collect();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    rt.block_on(async {
        let mut store = open_store(global).await?;
        let mut built = false;
        match holds(&store, &history).await? {
            Holds::Nothing => {}
            Holds::ThisCountry => {}
            Holds::Another if args.force && store.backend() == Backend::Sqlite => {
                store.close().await;
                remove_sqlite(&global.db)?;
                eprintln!(
                    "--force: borrada la base {} (otro país) / deleted the database (another country)",
                    sqlite_file(&global.db).display()
                );
                store = open_store(global).await?;
            }
            Holds::Another => {
                bar.finish_and_clear();
                let sqlite = store.backend() == Backend::Sqlite;
                store.close().await;
                let how = if sqlite {
                    "use --force para borrarla y construir este / run it again with --force to delete it and \
                     build this one"
                } else {
                    "bórrela y créela en PostgreSQL / drop and create the PostgreSQL database yourself"
                };
                bail!(
                    "la base {} ya contiene otro país (no el de --seed {} --scale {}) / the database already \
                     holds another country: {how}, o use otra --db / or choose another --db",
                    centinela_store::redact(&global.db),
                    args.seed,
                    args.scale
                );
            }
        }
        if store.posts().await?.is_empty() {
            load(&store, &country, &history, &today, &file, &bar).await?;
            built = true;
        } else {
            bar.finish_and_clear();
            eprintln!(
                "la base ya contiene este país: se sirve tal cual / \
                 the database already holds this country: serving it as it is"
            );
        }
        print_credentials(&store, &country, &file, built).await?;
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
            max_connections: centinela_server::MAX_CONNECTIONS as u64,
            max_connections_per_address: centinela_server::MAX_CONNECTIONS_PER_PEER as u64,
            sync_interval: 30,
            connector_check_seconds: 60,
            db_replica: None,
            clearance_days: centinela_app::clearances::DEFAULT_CLEARANCE_DAYS,
        };
        crate::cmd::serve::serve(&serve, store).await?;
        Ok(ExitCode::SUCCESS)
    })
}

async fn load(
    store: &Store,
    country: &Country,
    history: &[&CrossingRecord],
    today: &HashSet<&str>,
    file: &Path,
    bar: &ProgressBar,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    phase(bar, "puestos y listas / posts and lists", (country.posts.len() + country.lists.len()) as u64);
    for p in &country.posts {
        let kind = match p.kind {
            centinela_synth::PostKind::Land => PostKind::Land,
            centinela_synth::PostKind::Air => PostKind::Air,
            centinela_synth::PostKind::Sea => PostKind::Sea,
        };
        let facing = p.facing.map(|c| c.as_str().to_string()).unwrap_or_default();
        let np = NewPost { code: &p.code, name: &p.name, country: p.country, facing: &facing, kind };
        store.add_post("system", &np).await.with_context(|| format!("creating post {}", p.code))?;
        bar.inc(1);
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
        // Wanted and missing persons' notices carry a photo, as Interpol's
        // do: a synthetic silhouette per entry (no real face), so that the
        // booth's hit card shows one.
        if matches!(l.kind, centinela_domain::ListKind::Wanted | centinela_domain::ListKind::Missing) {
            let photos: Vec<(&str, Vec<u8>)> = l
                .entries
                .iter()
                .take(DEMO_PORTRAITS_PER_LIST)
                .map(|e| (e.id.as_str(), centinela_synth::portrait_png(&e.id)))
                .collect();
            let put: Vec<NewListImage<'_>> =
                photos.iter().map(|(id, bytes)| NewListImage { entry_id: id, bytes }).collect();
            store.write_list_images(&l.name, &put, &[]).await.with_context(|| format!("photos of list {}", l.name))?;
        }
        bar.inc(1);
    }
    phase(bar, "un año de cruces / a year of crossings", 1);
    let history: Vec<CrossingRecord> = history.iter().map(|&c| c.clone()).collect();
    store.import_crossings("system", &history).await.context("importing the crossings")?;
    phase(bar, "usuarios / users", country.users.len() as u64);
    let mut creds = Vec::with_capacity(country.users.len());
    for u in &country.users {
        let password = demo_password(&u.username)?;
        store
            .create_user("system", &u.username, u.role, u.post.as_deref(), &password)
            .await
            .with_context(|| format!("creating user {}", u.username))?;
        creds.push(Credential {
            username: u.username.clone(),
            role: u.role.as_str().to_string(),
            post: u.post.clone().unwrap_or_else(|| "(todo el país)".to_string()),
            password,
        });
        bar.inc(1);
    }
    write_passwords(file, &creds)?;
    phase(bar, "protección / protection", 1);
    let (referrals, cases) = protection(store, country, today).await?;
    let app = centinela_app::App::new(store.clone());
    app.reload_lists(None).await.context("loading the alert lists")?;
    let air_started = std::time::Instant::now();
    let (flights, bookings) = airline_day(&app, country, bar).await?;
    let air_secs = air_started.elapsed().as_secs_f64();
    let (inspections, hits) = booth_day(&app, store, country, today, bar).await?;
    bar.finish_and_clear();
    eprintln!(
        "país de demostración construido / demo country built in {:.1} s: {} posts, {} lists, {} crossings, \
         {} users, {} referrals, {} cases, {} flights with {} bookings ({:.1} s), \
         {} inspections today with {} hits",
        started.elapsed().as_secs_f64(),
        country.posts.len(),
        country.lists.len(),
        history.len(),
        country.users.len(),
        referrals,
        cases,
        flights,
        bookings,
        air_secs,
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

/// The airline day (`centinela_synth::airline_day`): each flight's API
/// list and PNR push, as EDIFACT, imported through the app's import use
/// case like a carrier's gateway (so whatever screens an import runs).
/// Returns (flights, bookings).
async fn airline_day(app: &centinela_app::App, country: &Country, bar: &ProgressBar) -> anyhow::Result<(usize, usize)> {
    let day = centinela_synth::airline_day(country);
    phase(bar, "un día de vuelos / a day of flights", day.interchanges.len() as u64);
    let year = day.date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2025);
    let (mut flights, mut bookings) = (0, 0);
    for (i, text) in day.interchanges.iter().enumerate() {
        let name = format!("demo-vuelo-{}.edi", i + 1);
        let source = centinela_app::passengers::Source::File(&name);
        let r = app
            .import_passenger_messages(centinela_app::Caller::Cli, source, text.as_bytes(), year)
            .await
            .with_context(|| format!("importing the demo flight {name}"))?;
        flights += r.flights;
        bookings += r.bookings;
        bar.inc(1);
    }
    Ok((flights, bookings))
}

/// Inspects the held-back crossings, party by party in time order, through
/// the server's inspection pipeline (document checks, screening, rules,
/// stored with their hits and audit entries), each by an officer of its
/// post. Returns (inspections, hits).
async fn booth_day(
    app: &centinela_app::App,
    store: &Store,
    country: &Country,
    today: &HashSet<&str>,
    bar: &ProgressBar,
) -> anyhow::Result<(usize, usize)> {
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
    phase(bar, "un día en las cabinas / a day at the booths", parties.len() as u64);
    for party in parties {
        bar.inc(1);
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
/// every seventh left waiting for the protection unit (so that its queue
/// opens with work), every fifth declined, the rest accepted into cases; the cases
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
        if i % 7 == 6 {
            continue;
        }
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

/// One user per role, and the officers and supervisor of the first post,
/// from the passwords file (every user is in the file). When the file is
/// missing or its admin password does not open this database, says so.
async fn print_credentials(store: &Store, country: &Country, file: &Path, built: bool) -> anyhow::Result<()> {
    let creds = match read_passwords(file) {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "aviso / warning: {e:#}. Las contraseñas de esta base no se conocen / this database's demo passwords \
                 are unknown: `centinela users reset-password USER --password-stdin`, or build anew with --force"
            );
            return Ok(());
        }
    };
    if !built
        && let Some(admin) = creds.iter().find(|c| c.role == Role::Admin.as_str())
        && store.verify_password(&admin.username, &admin.password).await?.is_none()
    {
        eprintln!(
            "aviso / warning: the passwords in {} do not open this database (changed since?); \
             `centinela users reset-password USER --password-stdin`, or build anew with --force",
            file.display()
        );
    }
    println!("Usuarios de demostración / demo users (contraseñas solo para este país sintético):");
    let first_post = country.posts.first().map(|p| p.code.as_str());
    let mut shown_roles: Vec<&str> = Vec::new();
    for c in &creds {
        let countrywide = c.post == "(todo el país)";
        let show = countrywide && !shown_roles.contains(&c.role.as_str()) || Some(c.post.as_str()) == first_post;
        if show {
            shown_roles.push(&c.role);
            println!("  {:<28} {:<11} {:<22} {}", c.username, c.role, c.post, c.password);
        }
    }
    println!(
        "  … los {n} usuarios y sus contraseñas / all {n} users and their passwords: {} (mode 600); \
         `centinela demo --users` prints them again",
        file.display(),
        n = creds.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_long_random_and_distinct() {
        let a = super::demo_password("admin").unwrap();
        assert_ne!(a, super::demo_password("admin").unwrap());
        assert!(a.chars().count() >= centinela_store::MIN_PASSWORD_CHARS);
        assert!(a["demo-".len()..].bytes().all(|b| super::PASSWORD_ALPHABET.contains(&b)));
    }

    /// Every demo account's password passes the policy for its role (the
    /// demo prints them; `create_user` would refuse a weak one).
    #[test]
    fn passwords_pass_the_policy() {
        let country = centinela_synth::generate(&centinela_synth::Config::new(1, centinela_synth::Scale::Small));
        assert!(country.users.iter().any(|u| u.role == centinela_domain::Role::Admin));
        for u in &country.users {
            let pw = super::demo_password(&u.username).unwrap();
            centinela_store::check_new_password(&pw, &u.username, u.role).unwrap();
        }
    }

    #[test]
    fn the_passwords_file_is_beside_the_database() {
        assert_eq!(super::passwords_file("/var/c/centinela.db").to_str(), Some("/var/c/centinela.db.demo-users"));
        assert_eq!(super::passwords_file("sqlite:x.db?mode=rwc").to_str(), Some("x.db.demo-users"));
        assert_eq!(super::passwords_file("postgres://u@h/db").to_str(), Some("centinela-demo-users.txt"));
    }
}
