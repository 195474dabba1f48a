//! A running server on 127.0.0.1:0 with a small synthetic country (as
//! `centinela demo` loads it) and one user per role with a known password.

use std::net::SocketAddr;

use centinela_domain::Role;
use centinela_server::{AppState, ServerConfig};
use centinela_store::{ListRows, NewPost, NewVersion, PostKind, Store};
use centinela_synth::{Config, Country, Scale};

pub const PASSWORD: &str = "una clave bastante larga";

pub struct WebApp {
    pub addr: SocketAddr,
    pub store: Store,
    pub country: Country,
    /// The post of the users bound to one.
    pub post: String,
    /// The airline day imported (flights, bookings, the planted network).
    pub air: centinela_synth::AirlineDay,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for WebApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl WebApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// The username of the test user of `role`.
pub fn username(role: Role) -> String {
    format!("web.{}", role.as_str())
}

/// Spawns the server over a fresh SQLite database holding the country.
pub async fn spawn_country() -> WebApp {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(dir.path().join("web.db").to_str().unwrap()).await.unwrap();
    let country = centinela_synth::generate(&Config::new(11, Scale::Small));
    for p in &country.posts {
        let kind = match p.kind {
            centinela_synth::PostKind::Land => PostKind::Land,
            centinela_synth::PostKind::Air => PostKind::Air,
            centinela_synth::PostKind::Sea => PostKind::Sea,
        };
        let facing = p.facing.map(|c| c.as_str().to_string()).unwrap_or_default();
        let np = NewPost { code: &p.code, name: &p.name, country: p.country, facing: &facing, kind };
        store.add_post("system", &np).await.unwrap();
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
        store.import_version(&nv, &rows).await.unwrap();
    }
    store.import_crossings("system", &country.crossings).await.unwrap();
    let post = country.posts[0].code.clone();
    for role in Role::ALL {
        let bound = matches!(role, Role::Officer | Role::Supervisor).then_some(post.as_str());
        store.create_user("system", &username(role), role, bound, PASSWORD).await.unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(ServerConfig::default(), store.clone());
    state.inspections().reload(state.store()).await.unwrap();
    let air = centinela_synth::airline_day(&country);
    for text in &air.interchanges {
        let source = centinela_app::passengers::Source::File("demo.edi");
        state.app().import_passenger_messages(centinela_app::Caller::Cli, source, text.as_bytes(), 2025).await.unwrap();
    }
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        centinela_server::serve_on(listener, state, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    WebApp { addr, store, country, post, air, stop: Some(stop), _dir: dir }
}

/// A TD3 passport zone (two lines) with these fields; `expiry` as
/// (year, month, day).
pub fn passport_mrz(
    surnames: &str,
    given_names: &str,
    nationality: &str,
    birth: (i32, u8, u8),
    sex: &str,
    number: &str,
    expiry: (i32, u8, u8),
) -> Vec<String> {
    let fields = centinela_mrz::Fields {
        format: centinela_mrz::Format::TD3,
        document_code: "P".into(),
        issuing_state: nationality.into(),
        surnames: surnames.into(),
        given_names: given_names.into(),
        document_number: number.into(),
        nationality: nationality.into(),
        birth_date: Some(centinela_mrz::PartialDate { year: birth.0, month: Some(birth.1), day: Some(birth.2) }),
        sex: sex.into(),
        expiry_date: centinela_mrz::Date::new(expiry.0, expiry.1, expiry.2),
        optional_data: String::new(),
        optional_data_2: String::new(),
    };
    centinela_mrz::generate(&fields).unwrap()
}

/// A passport on the country's stolen and lost documents list, reported
/// stolen: (number, issuing state).
pub fn stolen_document(country: &Country) -> (String, String) {
    let list = country.lists.iter().find(|l| l.kind == centinela_domain::ListKind::Documents).unwrap();
    let d = list
        .documents
        .iter()
        .find(|d| {
            d.status == centinela_domain::DocumentStatus::Stolen
                && d.issuing_state.is_some()
                && d.document_number.as_str().len() <= 9
                && d.document_number.as_str().bytes().all(|b| b.is_ascii_alphanumeric())
        })
        .unwrap();
    (d.document_number.as_str().to_string(), d.issuing_state.unwrap().as_str().to_string())
}

/// A listed person's passport MRZ (two lines): the first entry of the
/// wanted list with a full birth date, a nationality and a sex.
pub fn listed_mrz(country: &Country) -> (Vec<String>, String) {
    let list = country.lists.iter().find(|l| l.kind == centinela_domain::ListKind::Wanted).unwrap();
    let e = list
        .entries
        .iter()
        .find(|e| {
            e.birth_dates.first().is_some_and(|b| b.day.is_some())
                && !e.nationalities.is_empty()
                && e.sex != centinela_domain::Sex::Unknown
        })
        .unwrap();
    let b = e.birth_dates[0];
    let sex = match e.sex {
        centinela_domain::Sex::Male => "M",
        centinela_domain::Sex::Female => "F",
        _ => "X",
    };
    let nat = e.nationalities[0].as_str().to_string();
    let fields = centinela_mrz::Fields {
        format: centinela_mrz::Format::TD3,
        document_code: "P".into(),
        issuing_state: nat.clone(),
        surnames: e.surnames.clone(),
        given_names: e.given_names.clone(),
        document_number: "K4821937".into(),
        nationality: nat,
        birth_date: Some(centinela_mrz::PartialDate { year: i32::from(b.year), month: b.month, day: b.day }),
        sex: sex.into(),
        expiry_date: centinela_mrz::Date::new(2034, 6, 30),
        optional_data: String::new(),
        optional_data_2: String::new(),
    };
    (centinela_mrz::generate(&fields).unwrap(), list.name.clone())
}

/// Opens the sign-in page in `c` (a client with a cookie store) and returns
/// the form's token, as a browser holds it before posting the form.
pub async fn login_token(c: &reqwest::Client, app: &WebApp) -> String {
    let html = c.get(app.url("/entrar")).send().await.unwrap().text().await.unwrap();
    let at = html.find("name=\"_login\" value=\"").expect("the sign-in form has its token") + 21;
    html[at..].split('"').next().unwrap().to_owned()
}

/// A client (cookies kept, redirects not followed) signed in through the
/// sign-in page as `username`.
pub async fn sign_in(app: &WebApp, username: &str, password: &str) -> reqwest::Client {
    let c = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let token = login_token(&c, app).await;
    let body = [("username", username), ("password", password), ("_login", token.as_str())];
    let r = c
        .post(app.url("/entrar"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(body).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{username}");
    assert_eq!(r.headers()["location"], "/", "{username}");
    c
}

/// A border post beside `centre`: its own server over its own SQLite store,
/// knowing the centre's post `centre.post` and that post's officer and
/// supervisor (the same usernames), watching the centre's lookouts as a
/// serving post does (`centinela_sync::watch_lookouts`, the long poll).
/// Answers the post and its key at the centre.
pub async fn spawn_post(centre: &WebApp) -> (WebApp, String, tokio::task::JoinHandle<()>) {
    let key = centre.store.rotate_post_key("system", &centre.post).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(dir.path().join("post.db").to_str().unwrap()).await.unwrap();
    let p = centre.country.posts.iter().find(|p| p.code == centre.post).unwrap();
    let facing = p.facing.map(|c| c.as_str().to_string()).unwrap_or_default();
    let kind = match p.kind {
        centinela_synth::PostKind::Land => PostKind::Land,
        centinela_synth::PostKind::Air => PostKind::Air,
        centinela_synth::PostKind::Sea => PostKind::Sea,
    };
    let np = NewPost { code: &p.code, name: &p.name, country: p.country, facing: &facing, kind };
    store.add_post("system", &np).await.unwrap();
    for role in [Role::Officer, Role::Supervisor] {
        store.create_user("system", &username(role), role, Some(&centre.post), PASSWORD).await.unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(ServerConfig::default(), store.clone());
    state.inspections().reload(state.store()).await.unwrap();
    let cfg = centinela_sync::Config::new(&centre.url(""), &key);
    let app = state.app().clone();
    let watcher = tokio::spawn(centinela_sync::watch_lookouts(
        store.clone(),
        cfg,
        std::time::Duration::from_secs(2),
        move || {
            let app = app.clone();
            async move {
                app.reload_lookouts().await.unwrap();
            }
        },
    ));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        centinela_server::serve_on(listener, state, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    let post = centre.post.clone();
    // The post's store holds no passenger data; the field names the
    // country's airline day, which only the centre imported.
    let air = centre.air.clone();
    (WebApp { addr, store, country: centre.country.clone(), post, air, stop: Some(stop), _dir: dir }, key, watcher)
}
