//! The country's alert lists: mostly people who never cross, plus the
//! planted travellers under a spelling of the list's own.

use centinela_domain::{
    AlertEntry, BirthDate, CountryCode, DocumentNumber, DocumentRecord, DocumentStatus, ListKind, Notice, Sex,
};
use serde::{Deserialize, Serialize};

use crate::names;
use crate::places::{self, DocKind, NATIONS, nation_of};
use crate::rng::Rng;
use crate::truth::Listing;
use crate::world::{ListRequest, Person, ReportedDoc, World, civil_from_days};
use crate::{Config, Scale};

/// One alert list, ready for `centinela lists import`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynthList {
    /// The name to import it under (`--name`).
    pub name: String,
    pub kind: ListKind,
    /// Who publishes it (synthetic, but shaped like the real source).
    pub source: String,
    /// What an officer is asked to do on a confirmed hit.
    pub action: String,
    /// Persons (empty for a documents list).
    pub entries: Vec<AlertEntry>,
    /// Reported documents (only for a documents list).
    pub documents: Vec<DocumentRecord>,
}

const WANTED_NOTES: &[&str] = &[
    "Notificación roja: homicidio",
    "Notificación roja: trata de personas",
    "Orden de captura: extorsión",
    "Orden de captura: narcotráfico",
    "Orden de captura: asesinato",
    "Orden de captura: lavado de dinero",
    "Orden de captura: robo agravado",
    "Notificación roja: asociación ilícita",
];
const MISSING_NOTES: &[&str] = &[
    "Alerta Alba-Keneth: niño, niña o adolescente desaparecido",
    "Alerta Isabel-Claudina: mujer desaparecida",
    "Notificación amarilla: persona desaparecida",
    "Alerta Amber",
    "Denuncia de desaparición ante el Ministerio Público",
];
const WATCH_NOTES: &[&str] = &[
    "Deportado con prohibición de ingreso",
    "Vigilancia: posible facilitador",
    "Impedimento de salida: pensión alimenticia",
    "Impedimento de salida: orden judicial",
    "Arraigo: proceso penal abierto",
];

fn nationality(rng: &mut Rng, own: &'static str) -> &'static places::Nation {
    if rng.chance(0.4) { nation_of(own) } else { &NATIONS[rng.index(NATIONS.len())] }
}

/// A list entry of someone who never crosses.
fn filler_entry(rng: &mut Rng, kind: ListKind, own: &'static str, year: i64) -> AlertEntry {
    let nat = nationality(rng, own);
    let (female, age) = match kind {
        ListKind::Missing => {
            let f = rng.chance(0.7);
            (f, if rng.chance(0.5) { rng.range(2, 17) } else { rng.range(18, 45) })
        }
        ListKind::Wanted => (rng.chance(0.12), rng.range(19, 65)),
        _ => (rng.chance(0.3), rng.range(18, 70)),
    };
    let name = names::person_name(rng, nat.style, female);
    let y = (year - age as i64).clamp(1900, 2100) as u16;
    let birth = match rng.below(10) {
        0 => vec![],
        1 => vec![BirthDate { year: y, month: None, day: None }],
        2 => vec![BirthDate { year: y, month: None, day: None }, BirthDate { year: y + 1, month: None, day: None }],
        _ => {
            let m = rng.range(1, 12) as u8;
            vec![BirthDate { year: y, month: Some(m), day: Some(rng.range(1, 28) as u8) }]
        }
    };
    let mut nationalities = vec![CountryCode::parse(nat.code).expect("nation code")];
    if rng.chance(0.05) {
        let other = CountryCode::parse(NATIONS[rng.index(NATIONS.len())].code).expect("nation code");
        if !nationalities.contains(&other) {
            nationalities.push(other);
        }
    }
    let given = name.given_text();
    let surnames = name.surnames_text();
    let aliases = if rng.chance(0.2) {
        let (g, s) = names::variant(rng, &given, &surnames);
        vec![format!("{g} {s}")]
    } else {
        vec![]
    };
    let document_numbers = if rng.chance(0.3) {
        let k = if places::has_id_card(nat) && rng.chance(0.5) { DocKind::IdCard } else { DocKind::Passport };
        DocumentNumber::parse(&places::document_number(rng, nat.code, k)).into_iter().collect()
    } else {
        vec![]
    };
    let notes = match kind {
        ListKind::Wanted => rng.pick(WANTED_NOTES),
        ListKind::Missing => rng.pick(MISSING_NOTES),
        _ => rng.pick(WATCH_NOTES),
    };
    let notice = notice_of(kind, notes, year, given.len() + surnames.len());
    AlertEntry {
        id: String::new(),
        given_names: given,
        surnames,
        aliases,
        birth_dates: birth,
        nationalities,
        sex: if female { Sex::Female } else { Sex::Male },
        document_numbers,
        notes: notes.to_string(),
        notice,
    }
}

/// The alert's notice as its issuer would word it: the note is the reason,
/// the issuer follows from it, the action from the list's kind, and the
/// date of issue (within the two years before `year`) from `salt`, so that
/// no random draw is added and the synthetic world stays as it was.
fn notice_of(kind: ListKind, note: &str, year: i64, salt: usize) -> Notice {
    let authority = if note.starts_with("Notificación") {
        "INTERPOL, Oficina Central Nacional"
    } else if note.starts_with("Orden de captura") || note.starts_with("Arraigo") || note.contains("judicial") {
        "Organismo Judicial"
    } else if note.starts_with("Alerta") || note.starts_with("Denuncia") {
        "Ministerio Público"
    } else if note.starts_with("Deportado") {
        "Instituto de Migración"
    } else {
        "Dirección de Inteligencia"
    };
    let action = match kind {
        ListKind::Wanted => "Retener en segunda revisión sin alertar a la persona y avisar a la Policía Nacional Civil",
        ListKind::Missing => {
            "Separar con discreción del acompañante, no devolverle el documento y avisar a la unidad de protección"
        }
        ListKind::Documents => "Retener el documento y pasar a segunda revisión",
        ListKind::Watch => "Segunda revisión; informar a la autoridad que emitió la alerta",
    };
    let issued_year = (year - 1 - (salt % 2) as i64).clamp(1900, 2100) as u16;
    let issued = BirthDate::full(issued_year, 1 + (salt % 12) as u8, 1 + (salt * 7 % 28) as u8).ok();
    Notice { reason: note.to_string(), action: action.to_string(), authority: authority.to_string(), issued }
}

/// The entry for a planted person: their name spelt differently from how
/// they usually cross, their birth date (sometimes only the year), and
/// sometimes their document.
fn planted_entry(rng: &mut Rng, p: &Person, req: &ListRequest, year: i64) -> AlertEntry {
    let (given, surnames) = names::variant(rng, &p.name.given_text(), &p.name.surnames_text());
    let birth = if rng.chance(0.2) { BirthDate { month: None, day: None, ..p.birth } } else { p.birth };
    let document_numbers = if req.kind != ListKind::Missing && rng.chance(0.3) {
        p.docs.iter().filter_map(|d| DocumentNumber::parse(&d.number).ok()).take(1).collect()
    } else {
        vec![]
    };
    AlertEntry {
        id: String::new(),
        given_names: given,
        surnames,
        aliases: vec![],
        birth_dates: vec![birth],
        nationalities: vec![CountryCode::parse(p.nat.code).expect("nation code")],
        sex: if p.female { Sex::Female } else { Sex::Male },
        notice: notice_of(req.kind, req.note, year, p.name.given_text().len()),
        document_numbers,
        notes: req.note.to_string(),
    }
}

fn date_of(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Builds the four lists and the `listed` truth.
pub(crate) fn build(
    cfg: &Config,
    people: &[Person],
    requests: &[ListRequest],
    reported: &[ReportedDoc],
    start_day: i64,
) -> (Vec<SynthList>, Vec<Listing>) {
    let mut rng = Rng::new(cfg.seed).fork(30);
    let own = nation_of(cfg.country.as_str()).code;
    let year = civil_from_days(start_day).0;
    let (n_wanted, n_missing, n_watch, n_docs) = match cfg.scale {
        Scale::Full => (20_000, 6_000, 15_000, 100_000),
        Scale::Small => (300, 200, 300, 500),
    };
    let specs = [
        (
            ListKind::Wanted,
            "wanted-persons",
            "Interpol notificaciones rojas y órdenes de captura nacionales (sintético)",
            "W",
            n_wanted,
        ),
        (
            ListKind::Missing,
            "missing-persons",
            "Alertas Alba-Keneth, Isabel-Claudina y notificaciones amarillas (sintético)",
            "M",
            n_missing,
        ),
        (
            ListKind::Watch,
            "national-watch",
            "Lista nacional de vigilancia de la Dirección General de Migración (sintético)",
            "V",
            n_watch,
        ),
    ];
    let mut lists = Vec::new();
    let mut listed = Vec::new();
    for (kind, name, source, prefix, n) in specs {
        let mut rows: Vec<(AlertEntry, Option<u32>)> =
            (0..n).map(|_| (filler_entry(&mut rng, kind, own, year), None)).collect();
        for req in requests.iter().filter(|r| r.kind == kind) {
            rows.push((planted_entry(&mut rng, &people[req.person as usize], req, year), Some(req.person)));
        }
        rng.shuffle(&mut rows);
        let mut entries = Vec::with_capacity(rows.len());
        for (i, (mut e, person)) in rows.into_iter().enumerate() {
            e.id = format!("{own}-{prefix}{:06}", i + 1);
            if let Some(p) = person {
                listed.push(Listing {
                    person_id: World::person_id(p),
                    list: name.to_string(),
                    kind,
                    entry_id: e.id.clone(),
                    given_names: e.given_names.clone(),
                    surnames: e.surnames.clone(),
                });
            }
            entries.push(e);
        }
        lists.push(SynthList {
            name: name.to_string(),
            kind,
            source: source.to_string(),
            action: kind.default_action().to_string(),
            entries,
            documents: Vec::new(),
        });
    }
    // Stolen and lost documents: mostly of nobody we know.
    let mut documents: Vec<DocumentRecord> = Vec::with_capacity(n_docs + reported.len());
    for _ in 0..n_docs {
        let nat = nationality(&mut rng, own);
        let kind = if places::has_id_card(nat) && rng.chance(0.3) { DocKind::IdCard } else { DocKind::Passport };
        let number = places::document_number(&mut rng, nat.code, kind);
        let status = *rng.weighted(&[
            (DocumentStatus::Lost, 55),
            (DocumentStatus::Stolen, 30),
            (DocumentStatus::Revoked, 10),
            (DocumentStatus::StolenBlank, 5),
        ]);
        documents.push(DocumentRecord {
            document_number: DocumentNumber::parse(&number).expect("generated numbers are well formed"),
            issuing_state: CountryCode::parse(nat.code).ok(),
            document_type: kind.code().to_string(),
            status,
            reported_at: date_of(start_day - rng.range(1, 5 * 365) as i64),
        });
    }
    for r in reported {
        let mut reported_at = date_of(start_day + r.day);
        if rng.chance(0.2) {
            // Some sources give a timestamp.
            reported_at = format!("{reported_at}T{:02}:{:02}:00Z", rng.range(8, 18), rng.range(0, 59));
        }
        documents.push(DocumentRecord {
            document_number: DocumentNumber::parse(&r.doc.number).expect("generated numbers are well formed"),
            issuing_state: CountryCode::parse(r.doc.state).ok(),
            document_type: r.doc.kind.code().to_string(),
            status: r.status,
            reported_at,
        });
    }
    rng.shuffle(&mut documents);
    lists.push(SynthList {
        name: "stolen-lost-documents".to_string(),
        kind: ListKind::Documents,
        source: "Documentos de viaje robados, extraviados y anulados (sintético, al estilo de SLTD)".to_string(),
        action: ListKind::Documents.default_action().to_string(),
        entries: Vec::new(),
        documents,
    });
    // Watch list before documents: order wanted, missing, documents, watch
    // as `ListKind::ALL` has it.
    let docs = lists.pop().expect("documents list");
    lists.insert(2, docs);
    (lists, listed)
}
