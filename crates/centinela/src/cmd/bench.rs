//! `centinela bench`: measuring harnesses for the benchmark scripts under
//! `bench/`. Speed targets live in BENCHMARKS.md and the scripts, never here:
//! these commands only measure and print one JSON object on stdout.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use centinela_domain::{BirthDate, CountryCode, Sex};
use centinela_names::{DEFAULT_THRESHOLD, Query, ScreenOptions, Screener};
use serde_json::json;

use crate::cmd::Unreadable;
use crate::cmd::screen::{read_list, read_queries};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Name screening: index build time, single-query latency on one thread,
    /// bulk throughput on N threads, peak resident memory.
    Screen(ScreenArgs),
    /// Fills a border post's database (`--db`) with DAYS of a busy crossing's
    /// inspections, hits, adjudications and decisions, as made offline: the
    /// queue that `bench/sync.sh` then pushes to a centre.
    SyncFill(SyncFillArgs),
    /// Alerts per 1,000 crossings over the demo country's last month,
    /// without and with the clearances supervisors would have made on the
    /// first eleven months' dismissals (JSON).
    Clearances(crate::cmd::alert_burden::Args),
    /// ePassport chip: Passive Authentication of one passport (DG1 and DG2
    /// hashes, the SOD's signature, the DS certificate up to its CSCA among
    /// 300 others), per algorithm, on one thread; test PKI made on the spot.
    Chip(ChipArgs),
    /// A connector refreshing an Interpol-shaped feed of NOTICES Red
    /// notices (pages of 160, each notice's detail with its ETag) from a
    /// server on 127.0.0.1, into the database (`--db`): the first pull
    /// (every detail fetched), a pull where nothing changed (every detail
    /// answers 304), and one with 1 % changed and 0.5 % withdrawn (JSON).
    Connector(ConnectorArgs),
    /// Pre-arrival screening of one flight: a manifest of PASSENGERS (API
    /// list and PNRs) screened as the server does after an import — the
    /// booth's pipeline per person (names, documents), the rules with the
    /// passenger facts, on two workers — against LIST.csv (JSON).
    Passengers(PassengersArgs),
}

#[derive(Debug, clap::Args)]
pub struct PassengersArgs {
    /// The alert list (LIST.csv, as for `centinela screen`).
    #[arg(long, value_name = "LIST.csv")]
    pub list: PathBuf,
    /// The travellers the manifest is made of (QUERIES.csv, cycled).
    #[arg(long, value_name = "QUERIES.csv")]
    pub queries: PathBuf,
    /// Persons on the flight.
    #[arg(long, default_value_t = 300)]
    pub passengers: usize,
    /// Manifests screened and timed (after 5 to warm up).
    #[arg(long, default_value_t = 200)]
    pub iterations: usize,
}

#[derive(Debug, clap::Args)]
pub struct ChipArgs {
    /// Verifications timed per algorithm (after 20 to warm up).
    #[arg(long, default_value_t = 2000)]
    pub iterations: usize,
}

#[derive(Debug, clap::Args)]
pub struct SyncFillArgs {
    /// The post's code (created here if missing).
    #[arg(long, default_value = "GTM-TECUNUMAN")]
    pub post: String,
    #[arg(long, default_value_t = 7)]
    pub days: u32,
    /// Travellers inspected per day.
    #[arg(long, default_value_t = 4000)]
    pub per_day: u32,
    /// One traveller in this many is a hit (adjudicated).
    #[arg(long, default_value_t = 25)]
    pub hit_every: u32,
}

#[derive(Debug, clap::Args)]
pub struct ScreenArgs {
    /// The alert list (LIST.csv, as for `centinela screen`).
    #[arg(long, value_name = "LIST.csv")]
    pub list: PathBuf,
    /// The travellers (QUERIES.csv, as for `centinela screen`).
    #[arg(long, value_name = "QUERIES.csv")]
    pub queries: PathBuf,
    /// Threads for the bulk measurement.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Queries timed one by one on one thread (taken from QUERIES.csv, plus
    /// built-in queries with very common surnames).
    #[arg(long, default_value_t = 5000)]
    pub latency_queries: usize,
    /// Queries screened in the bulk measurement (QUERIES.csv cycled).
    #[arg(long, default_value_t = 50_000)]
    pub bulk_queries: usize,
}

/// Queries with the most common Hispanic surnames: the worst case for an
/// index that looks candidates up by name token. Same list as bench/peers.py.
const COMMON: &[(&str, &str)] = &[
    ("José", "Hernández"),
    ("María", "García"),
    ("Juan Carlos", "López Martínez"),
    ("Ana", "Rodríguez González"),
    ("Luis", "Martínez"),
    ("Guadalupe", "Hernández García"),
    ("Carlos", "Pérez"),
    ("Rosa María", "Sánchez Ramírez"),
    ("", "García"),
    ("Jesús", "González López"),
    ("Francisco", "Rodríguez"),
    ("Miguel Ángel", "Hernández Hernández"),
];

pub fn run(cmd: Command, global: &crate::Global) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Screen(args) => screen(args),
        Command::SyncFill(args) => sync_fill(args, global),
        Command::Clearances(args) => crate::cmd::alert_burden::run(args),
        Command::Chip(args) => chip(args),
        Command::Connector(args) => connector(args, global),
        Command::Passengers(args) => passengers(args),
    }
}

#[derive(Debug, clap::Args)]
pub struct ConnectorArgs {
    /// Notices in the feed.
    #[arg(long, default_value_t = 10_000)]
    pub notices: usize,
    /// Requests per second the connector allows itself (0: no limit; the
    /// default limit is 10 a second for a real source).
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
    /// Each notice also links a thumbnail (a 4 KiB JPEG), fetched and
    /// stored with the notice.
    #[arg(long)]
    pub thumbnails: bool,
}

/// One feed served from memory: path → (body, ETag).
type Feed = std::sync::Arc<std::sync::RwLock<std::collections::HashMap<String, (Vec<u8>, String)>>>;

async fn serve_feed(listener: tokio::net::TcpListener, feed: Feed) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    loop {
        let Ok((mut sock, _)) = listener.accept().await else { return };
        let feed = feed.clone();
        tokio::spawn(async move {
            let mut buf = Vec::with_capacity(1024);
            let mut chunk = [0u8; 2048];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let head = String::from_utf8_lossy(&buf);
            let path = head.split(' ').nth(1).unwrap_or("/").to_string();
            let inm = head
                .lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(k, _)| k.eq_ignore_ascii_case("if-none-match"))
                .map(|(_, v)| v.trim().to_string());
            let found = feed.read().unwrap().get(&path).cloned();
            let (status, body, etag) = match found {
                None => ("404 Not Found", Vec::new(), String::new()),
                Some((_, etag)) if inm.as_deref() == Some(etag.as_str()) => ("304 Not Modified", Vec::new(), etag),
                Some((body, etag)) => ("200 OK", body, etag),
            };
            let mut out = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nETag: {etag}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            out.extend_from_slice(&body);
            let _ = sock.write_all(&out).await;
            let _ = sock.shutdown().await;
        });
    }
}

/// The feed's pages and details; `changed` notices get another charge and
/// ETag, the last `withdrawn` are left out.
fn build_feed(
    n: usize,
    changed: usize,
    withdrawn: usize,
    thumbnails: bool,
) -> std::collections::HashMap<String, (Vec<u8>, String)> {
    const GIVEN: &[&str] = &["JUAN", "MARIA", "JOSE", "ANA", "LUIS", "ROSA", "CARLOS", "SOFIA", "MIGUEL", "ELENA"];
    const SUR: &[&str] = &["PEREZ", "LOPEZ", "GARCIA", "HERNANDEZ", "MARTINEZ", "RAMIREZ", "FLORES", "MORALES", "CRUZ"];
    const NAT: &[&str] = &["GT", "SV", "HN", "MX", "NI", "CR", "CO", "US"];
    let ids: Vec<String> = (0..n - withdrawn).map(|i| format!("{}/{}", 2000 + i % 25, 10_000 + i)).collect();
    let mut feed = std::collections::HashMap::new();
    for (i, id) in ids.iter().enumerate() {
        let charge = if i < changed { "Trafficking in persons (amended)" } else { "Trafficking in persons" };
        let body = json!({
            "entity_id": id, "forename": GIVEN[i % GIVEN.len()],
            "name": format!("{} {}", SUR[i % SUR.len()], SUR[(i / 7) % SUR.len()]),
            "date_of_birth": format!("{}/{:02}/{:02}", 1950 + i % 50, 1 + i % 12, 1 + i % 28),
            "nationalities": [NAT[i % NAT.len()]], "sex_id": if i % 2 == 0 { "M" } else { "F" },
            "country_of_birth_id": NAT[(i / 3) % NAT.len()], "place_of_birth": "CIUDAD",
            "distinguishing_marks": "Scar on the left hand",
            "arrest_warrants": [{"charge": charge, "issuing_country_id": NAT[(i / 5) % NAT.len()]}],
        });
        let etag = format!("\"{}-{}\"", i, if i < changed { 2 } else { 1 });
        feed.insert(format!("/notices/v1/red/{}", id.replace('/', "-")), (body.to_string().into_bytes(), etag));
        if thumbnails {
            let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
            jpeg.extend((0..4096u32).map(|k| (k as usize * 31 + i) as u8));
            feed.insert(thumb_path(id), (jpeg, format!("\"t{i}\"")));
        }
    }
    let pages: Vec<&[String]> = ids.chunks(160).collect();
    for (p, chunk) in pages.iter().enumerate() {
        let notices: Vec<_> = chunk
            .iter()
            .map(|id| {
                let mut links = json!({"self": {"href": format!("/notices/v1/red/{}", id.replace('/', "-"))}});
                if thumbnails {
                    links["thumbnail"] = json!({"href": thumb_path(id)});
                }
                json!({"entity_id": id, "_links": links})
            })
            .collect();
        let mut links = json!({"self": {"href": format!("/notices/v1/red?page={}", p + 1)}});
        if p + 1 < pages.len() {
            links["next"] = json!({"href": format!("/notices/v1/red?page={}", p + 2)});
        }
        let body = json!({"total": ids.len(), "_embedded": {"notices": notices}, "_links": links});
        feed.insert(format!("/notices/v1/red?page={}", p + 1), (body.to_string().into_bytes(), format!("\"p{p}\"")));
    }
    feed
}

fn thumb_path(id: &str) -> String {
    format!("/notices/v1/red/{}/images/1", id.replace('/', "-"))
}

fn connector(a: ConnectorArgs, global: &crate::Global) -> anyhow::Result<ExitCode> {
    use centinela_app::connectors::{AddConnector, Limits};
    use centinela_app::{App, Caller};
    if a.notices == 0 || a.notices > 1_000_000 {
        return Err(Unreadable("--notices: 1 to 1000000".into()).into());
    }
    crate::cmd::runtime()?.block_on(async {
        let app = App::new(crate::cmd::open_store(global).await?);
        let feed: Feed = std::sync::Arc::new(std::sync::RwLock::new(build_feed(a.notices, 0, 0, a.thumbnails)));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}/notices/v1/red?page=1", listener.local_addr()?);
        tokio::spawn(serve_feed(listener, feed.clone()));
        let name = format!("bench-interpol-{}", std::process::id());
        let add = AddConnector {
            name: &name,
            kind: "interpol-red",
            base_url: &base,
            list: &name,
            list_kind: None,
            schedule_minutes: None,
            max_age_hours: None,
            credential: "",
        };
        app.add_connector(Caller::Cli, &add).await?;
        let limits = Limits { rate_per_second: a.rate, backoff: Duration::from_millis(50), ..Limits::default() };
        let mut runs = Vec::new();
        let changed = a.notices / 100;
        let withdrawn = a.notices / 200;
        for label in ["first", "unchanged", "changed"] {
            if label == "changed" {
                *feed.write().unwrap() = build_feed(a.notices, changed, withdrawn, a.thumbnails);
            }
            let t = Instant::now();
            let r = app.run_connector_as("cli", &name, limits.clone()).await?;
            let secs = t.elapsed().as_secs_f64();
            anyhow::ensure!(r.outcome.as_str() != "failed", "the {label} pull failed: {}", r.message);
            runs.push(json!({
                "pull": label, "outcome": r.outcome.as_str(), "seconds": (secs * 1000.0).round() / 1000.0,
                "requests": r.requests, "added": r.diff.added, "changed": r.diff.changed,
                "withdrawn": r.diff.withdrawn, "rows": r.rows, "version": r.version,
                "images_stored": r.images_stored, "warnings": r.warnings.len(),
            }));
        }
        println!(
            "{}",
            serde_json::to_string_pretty(
                &json!({ "notices": a.notices, "rate": a.rate, "thumbnails": a.thumbnails, "runs": runs })
            )?
        );
        Ok(ExitCode::SUCCESS)
    })
}

fn chip(a: ChipArgs) -> anyhow::Result<ExitCode> {
    let rows = centinela_chip::testpki::bench_verify(a.iterations);
    println!("{}", serde_json::to_string_pretty(&json!({ "cscas": 301, "results": rows }))?);
    Ok(ExitCode::SUCCESS)
}

fn sync_fill(a: SyncFillArgs, global: &crate::Global) -> anyhow::Result<ExitCode> {
    use centinela_domain::{CrossingRecord, Direction, DocumentNumber, Role, Timestamp};
    use centinela_store::{Actor, Decision, HitKind, NewHit, NewInspection, NewPost, PostKind, Verdict};
    crate::cmd::runtime()?.block_on(async {
        let store = crate::cmd::open_store(global).await?;
        if !store.posts().await?.iter().any(|p| p.code == a.post) {
            let p = NewPost { code: &a.post, name: &a.post, country: CountryCode::parse("GTM")?, facing: "", kind: PostKind::Land };
            store.add_post("system", &p).await?;
        }
        let mut users = Vec::new();
        for (name, role) in [("bench-oficial", Role::Officer), ("bench-supervisor", Role::Supervisor)] {
            let u = match store.user_by_username(name).await? {
                Some(u) => u,
                None => store.create_user("system", name, role, Some(&a.post), "bench password 123").await?,
            };
            users.push(u);
        }
        let (officer, sup) = (&users[0], &users[1]);
        let before = store.sync_status().await?.queued;
        let started = Instant::now();
        let start = Timestamp::now().unix_seconds() - i64::from(a.days) * 86_400;
        let result = serde_json::json!({"documents": [], "hits": [], "flags": [], "suggested": "admit",
            "checks": {"document_number": true, "birth_date": true, "expiry_date": true, "composite": true}}).to_string();
        let mut rng = centinela_synth::Rng::new(7);
        let total = a.days * a.per_day;
        let mut hits = Vec::new();
        let mut crossings = Vec::new();
        let mut n = 0u32;
        while n < total {
            let mut parties = Vec::new();
            for _ in 0..500.min(total - n) {
                let at = start + i64::from(n) * 86_400 / i64::from(a.per_day);
                let id = format!("BENCH-{}-{n}", a.post);
                let hit = a.hit_every > 0 && n.is_multiple_of(a.hit_every);
                let record = CrossingRecord {
                    given_names: ["Ana María", "José Luis", "Rosa", "Juan Carlos"][(rng.next() % 4) as usize].into(),
                    surnames: format!("López {}", rng.next() % 100_000),
                    birth_date: BirthDate::parse_opt("1988-07-14")?,
                    nationality: CountryCode::parse_opt("GTM")?,
                    sex: Sex::Female,
                    document_type: "P".into(),
                    document_number: Some(DocumentNumber::parse(&format!("G{:08}", rng.next() % 100_000_000))?),
                    issuing_state: CountryCode::parse_opt("GTM")?,
                    destination: "Tapachula".into(),
                    ..CrossingRecord::new(id.clone(), a.post.clone(), if n.is_multiple_of(2) { Direction::Entry } else { Direction::Exit }, Timestamp::from_unix_seconds(at)?)
                };
                parties.push(vec![NewInspection {
                    record,
                    relation: String::new(),
                    officer_id: officer.id,
                    actor: officer.username.clone(),
                    suggested: if hit { "secondary_inspection" } else { "admit" }.into(),
                    result: result.clone(),
                    hits: if hit {
                        vec![NewHit {
                            kind: HitKind::Person,
                            list_name: "buscados".into(),
                            list_kind: centinela_domain::ListKind::Wanted,
                            entry_id: format!("W-{n}"),
                            score: 0.91,
                            action: "secondary_inspection".into(),
                            explanation: r#"[{"aspect":"surname","how":"phonetic","weight":2.5}]"#.into(),
                            list_version: Some(1),
                        }]
                    } else {
                        vec![]
                    },
                    flags: vec![],
                    history_shown: Vec::new(),
                }]);
                crossings.push(id);
                n += 1;
            }
            for rec in store.record_inspections(&parties).await?.into_iter().flatten().flatten() {
                hits.extend(rec.hit_ids);
            }
        }
        let o = Actor { user_id: officer.id, username: &officer.username, role: Role::Officer };
        let s = Actor { user_id: sup.id, username: &sup.username, role: Role::Supervisor };
        for h in &hits {
            store.adjudicate(s, *h, Verdict::Dismissed, "homónimo").await?;
        }
        for c in &crossings {
            store.decide(o, c, Decision::Admit, "").await?;
        }
        let queued = store.sync_status().await?.queued - before;
        store.close().await;
        println!(
            "{}",
            json!({"travellers": total, "hits": hits.len(), "records_queued": queued, "secs": started.elapsed().as_secs_f64()})
        );
        Ok(ExitCode::SUCCESS)
    })
}

fn common_queries() -> Vec<Query> {
    COMMON
        .iter()
        .map(|(g, s)| {
            let mut q = Query::new(g, s);
            q.birth_date = BirthDate::parse_opt("1980-01-01").ok().flatten();
            q.nationality = CountryCode::parse_opt("MEX").ok().flatten();
            q
        })
        .collect()
}

fn screen(args: ScreenArgs) -> anyhow::Result<ExitCode> {
    if args.threads == 0 {
        return Err(Unreadable("--threads: expected at least 1".into()).into());
    }
    let t0 = Instant::now();
    // The same readers as `centinela screen`: the contract's layouts,
    // parsed by centinela-lists.
    let list = read_list(&args.list)?;
    let queries: Vec<Query> = read_queries(&args.queries)?.into_iter().map(|(_, q)| q).collect();
    let read_s = t0.elapsed().as_secs_f64();
    if queries.is_empty() {
        return Err(Unreadable(format!("{}: no queries", args.queries.display())).into());
    }
    let entries = list.len();
    let rss_before_build = proc_status_kb("VmRSS:");

    let t1 = Instant::now();
    let screener = Screener::build(list);
    let build_s = t1.elapsed().as_secs_f64();
    let rss_after_build = proc_status_kb("VmRSS:");
    eprintln!("bench screen: {entries} entries read in {read_s:.2}s, index built in {build_s:.2}s");

    let opts = ScreenOptions::default();
    let common = common_queries();

    // Warm-up: touch the index the way the measured run will.
    for q in queries.iter().take(200) {
        std::hint::black_box(screener.screen(q, &opts));
    }

    // Single-query latency, on this one thread.
    let n = args.latency_queries.min(queries.len());
    let step = (queries.len() / n.max(1)).max(1);
    let mut lat = Vec::with_capacity(n);
    let mut alerts = 0usize;
    for q in queries.iter().step_by(step).take(n) {
        let t = Instant::now();
        let hits = screener.screen(q, &opts);
        lat.push(t.elapsed());
        alerts += hits.len();
    }
    let mut lat_common = Vec::new();
    for _ in 0..20 {
        for q in &common {
            let t = Instant::now();
            let hits = screener.screen(q, &opts);
            lat_common.push(t.elapsed());
            std::hint::black_box(hits);
        }
    }
    let mut lat_all: Vec<Duration> = lat.iter().chain(&lat_common).copied().collect();
    let single = summary(&mut lat);
    let single_common = summary(&mut lat_common);
    let single_all = summary(&mut lat_all);
    eprintln!("bench screen: latency measured on {} queries", lat_all.len());

    // Bulk throughput on N threads, each taking every N-th query.
    let bulk: Vec<&Query> = queries.iter().chain(&common).cycle().take(args.bulk_queries.max(1)).collect();
    let t2 = Instant::now();
    let bulk_alerts: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..args.threads)
            .map(|i| {
                let (screener, bulk, opts) = (&screener, &bulk, &opts);
                s.spawn(move || {
                    bulk.iter().skip(i).step_by(args.threads).map(|q| screener.screen(q, opts).len()).sum::<usize>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("bulk thread panicked")).sum()
    });
    let bulk_s = t2.elapsed().as_secs_f64();
    eprintln!("bench screen: {} queries on {} threads in {bulk_s:.2}s", bulk.len(), args.threads);

    let out = json!({
        "list": args.list.display().to_string(),
        "queries_file": args.queries.display().to_string(),
        "entries": entries,
        "queries": queries.len(),
        "threshold": DEFAULT_THRESHOLD,
        "read_s": read_s,
        "build_s": build_s,
        "single_query": {
            "threads": 1,
            "all": single_all,
            "from_file": single,
            "common_surnames": single_common,
            "alerts_per_query": alerts as f64 / n.max(1) as f64,
        },
        "bulk": {
            "threads": args.threads,
            "queries": bulk.len(),
            "seconds": bulk_s,
            "queries_per_s": bulk.len() as f64 / bulk_s.max(1e-9),
            "alerts": bulk_alerts,
        },
        "rss_mb": {
            "before_build": rss_before_build.map(|k| k as f64 / 1024.0),
            "after_build": rss_after_build.map(|k| k as f64 / 1024.0),
            "peak": proc_status_kb("VmHWM:").map(|k| k as f64 / 1024.0),
        },
    });
    println!("{out}");
    Ok(ExitCode::SUCCESS)
}

fn passengers(a: PassengersArgs) -> anyhow::Result<ExitCode> {
    use centinela_app::prearrival::{screen_all, subjects};
    use centinela_store::{ApiPerson, BookingPassenger, NewBooking, StoredBooking, StoredFlight};
    if a.passengers == 0 || a.passengers > centinela_app::prearrival::MAX_FLIGHT_PERSONS || a.iterations == 0 {
        return Err(Unreadable("--passengers: 1 to 2000; --iterations: at least 1".into()).into());
    }
    let list = read_list(&a.list)?;
    let queries: Vec<Query> = read_queries(&a.queries)?.into_iter().map(|(_, q)| q).collect();
    if queries.is_empty() {
        return Err(Unreadable(format!("{}: no queries", a.queries.display())).into());
    }
    let entries = list.len();
    let t = Instant::now();
    let listed = centinela_inspect::ListRef {
        name: "bench".into(),
        kind: centinela_domain::ListKind::Wanted,
        action: "secondary_inspection".into(),
    };
    let lists =
        centinela_inspect::Watchlists::build(list.into_iter().map(|e| (listed.clone(), e)).collect(), Vec::new());
    let build_s = t.elapsed().as_secs_f64();
    // The flight: PTY -> GUA; bookings of three, every fifth paid by one
    // account with one contact (A1, A2 fire for those), one-way, cash.
    let flight = StoredFlight {
        id: 1,
        carrier: "CM".into(),
        number: "CM421".into(),
        origin: "PTY".into(),
        destination: "GUA".into(),
        departure_date: "2026-12-06".into(),
        departs_at: Some("2026-12-06T15:30".into()),
        arrives_at: Some("2026-12-06T16:45".into()),
        persons: 0,
        bookings: 0,
    };
    let manifest: Vec<ApiPerson> = queries
        .iter()
        .cycle()
        .take(a.passengers)
        .enumerate()
        .map(|(i, q)| ApiPerson {
            role: if i % 50 == 0 { "crew" } else { "passenger" }.into(),
            surnames: q.surnames.clone(),
            given_names: q.given_names.clone(),
            sex: Some(q.sex.as_str().to_string()).filter(|s| !s.is_empty()),
            birth_date: q.birth_date.map(|b| b.to_string()),
            nationality: q.nationality.map(|c| c.as_str().to_string()),
            document_type: Some("P".into()),
            document_number: Some(format!("X{i:07}")),
            document_issuer: q.nationality.map(|c| c.as_str().to_string()),
            booking: Some(format!("B{:05}", i / 3)),
            ..ApiPerson::default()
        })
        .collect();
    let bookings: Vec<StoredBooking> = manifest
        .chunks(3)
        .enumerate()
        .map(|(k, ps)| {
            let shared = k % 5 == 0;
            StoredBooking {
                id: k as i64 + 1,
                version: 1,
                flight_id: Some(1),
                received_at: String::new(),
                masked_at: None,
                booking: NewBooking {
                    carrier: "CM".into(),
                    locator: format!("B{k:05}"),
                    booked_at: Some("2026-12-04T10:00".into()),
                    agency: Some("AGENCIA".into()),
                    payment_kind: Some("CA".into()),
                    payment_account: Some(if shared { "XXXX1111".into() } else { format!("XXXX{k:04}") }),
                    contact: if shared { "+50255550000".into() } else { format!("+5025555{k:04}") },
                    itinerary: r#"[{"from":"PTY","to":"GUA"}]"#.into(),
                    passengers: ps
                        .iter()
                        .map(|p| BookingPassenger {
                            surnames: p.surnames.clone(),
                            given_names: p.given_names.clone(),
                            birth_date: p.birth_date.clone(),
                            ..BookingPassenger::default()
                        })
                        .collect(),
                    ..NewBooking::default()
                },
            }
        })
        .collect();
    let at = centinela_domain::Timestamp::now();
    let run = || {
        let subs = subjects(&flight, &manifest, &bookings);
        screen_all(&lists, &subs, at, centinela_domain::Direction::Entry)
    };
    for _ in 0..5 {
        std::hint::black_box(run());
    }
    let mut times = Vec::with_capacity(a.iterations);
    let (mut hits, mut rules, mut skipped) = (0usize, 0usize, 0usize);
    for _ in 0..a.iterations {
        let t = Instant::now();
        let out = run();
        times.push(t.elapsed());
        hits = out.iter().filter_map(|s| s.outcome.as_ref()).map(|o| o.travellers[0].hits.len()).sum();
        rules = out.iter().map(|s| s.findings.len()).sum();
        skipped = out.iter().filter(|s| s.skipped).count();
    }
    println!(
        "{}",
        json!({
            "entries": entries,
            "build_s": build_s,
            "passengers": a.passengers,
            "bookings": bookings.len(),
            "workers": 2,
            "manifest": summary(&mut times),
            "list_hits": hits,
            "rule_firings": rules,
            "skipped": skipped,
        })
    );
    Ok(ExitCode::SUCCESS)
}

fn summary(xs: &mut [Duration]) -> serde_json::Value {
    if xs.is_empty() {
        return json!({ "n": 0 });
    }
    xs.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |p: f64| ms(xs[((p / 100.0) * (xs.len() - 1) as f64).round() as usize]);
    let mean = xs.iter().map(|d| ms(*d)).sum::<f64>() / xs.len() as f64;
    json!({
        "n": xs.len(),
        "p50_ms": pct(50.0),
        "p90_ms": pct(90.0),
        "p99_ms": pct(99.0),
        "max_ms": ms(xs[xs.len() - 1]),
        "mean_ms": mean,
    })
}

/// A field of /proc/self/status in kB (`VmRSS:`, `VmHWM:`); None off Linux.
fn proc_status_kb(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].trim().trim_end_matches("kB").trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_fields_parse() {
        if cfg!(target_os = "linux") {
            assert!(proc_status_kb("VmHWM:").is_some_and(|k| k > 0));
        }
    }
}
