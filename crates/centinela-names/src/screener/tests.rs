use super::*;
use proptest::prelude::*;

fn date() -> impl Strategy<Value = BirthDate> {
    // Mostly calendar dates, some partial, some no calendar allows
    // (entries built by hand): month or day 0 or past 31, year 0.
    (0u16..2100, prop::option::of(0u8..40), prop::option::of(0u8..40)).prop_map(|(year, month, day)| BirthDate {
        year,
        month,
        day,
    })
}

fn country() -> impl Strategy<Value = CountryCode> {
    prop::sample::select(vec!["MEX", "GTM", "HND", "SLV", "DOM"]).prop_map(|c| CountryCode::parse(c).unwrap())
}

fn sex() -> impl Strategy<Value = Sex> {
    prop::sample::select(vec![Sex::Male, Sex::Female, Sex::Unspecified, Sex::Unknown])
}

fn doc() -> impl Strategy<Value = DocumentNumber> {
    "[A-Z0-9OIL]{1,4}".prop_map(|s| DocumentNumber::parse(&s).unwrap())
}

fn name() -> impl Strategy<Value = String> {
    let words = ["Ana", "María", "José", "Pérez", "Peres", "Hernández", "Ernandes", "de la Cruz", "Delacruz", "J"];
    prop::collection::vec(prop::sample::select(words.to_vec()), 0..4).prop_map(|w| w.join(" "))
}

fn entry() -> impl Strategy<Value = AlertEntry> {
    (
        (name(), name(), prop::collection::vec(name(), 0..2)),
        prop::collection::vec(date(), 0..3),
        prop::collection::vec(country(), 0..3),
        sex(),
        prop::collection::vec(doc(), 0..2),
    )
        .prop_map(|((given_names, surnames, aliases), birth_dates, nationalities, sex, document_numbers)| {
            AlertEntry {
                id: String::new(),
                given_names,
                surnames,
                aliases,
                birth_dates,
                nationalities,
                sex,
                document_numbers,
                ..Default::default()
            }
        })
}

fn query() -> impl Strategy<Value = Query> {
    (
        (name(), name()),
        prop::option::of(date()),
        prop::option::of(prop_oneof![country(), Just(CountryCode::parse("CRI").unwrap())]),
        sex(),
        prop::option::of(doc()),
    )
        .prop_map(|((given_names, surnames), birth_date, nationality, sex, document_number)| Query {
            given_names,
            surnames,
            birth_date,
            nationality,
            sex,
            document_number,
        })
}

fn bits(t: Terms) -> (u64, Option<u64>, Option<u64>, Option<u64>) {
    (t.date.to_bits(), t.nat.map(f64::to_bits), t.sex.map(f64::to_bits), t.doc.map(f64::to_bits))
}

proptest! {
    /// The compact records give every entry the terms its full record
    /// gives, to the bit, and a birth-date bound at least its date term.
    #[test]
    fn facts_give_the_entry_terms(entries in prop::collection::vec(entry(), 1..12), qs in prop::collection::vec(query(), 1..6)) {
        let s = Screener::build(entries);
        for q in &qs {
            let pq = s.prepare_query(q);
            for e in 0..s.len() as u32 {
                let entry = &s.entries[s.orig[e as usize] as usize];
                let want = s.entry_terms(&pq, q, entry);
                prop_assert_eq!(bits(s.terms(&pq, q, e)), bits(want));
                prop_assert!(s.date_bound(pq.date.as_ref(), e) >= want.date);
            }
        }
    }

    /// The bound a candidate is skipped by is at least its score, and
    /// the score is the one its explanation adds up to.
    #[test]
    fn the_candidate_bound_bounds_the_score(entries in prop::collection::vec(entry(), 1..12), qs in prop::collection::vec(query(), 1..6)) {
        let s = Screener::build(entries);
        let mut pairs = PairCache { query: 0, slots: Vec::new(), cat: Vec::new(), code: Vec::new() };
        for q in &qs {
            let pq = s.prepare_query(q);
            pairs.next_query();
            for e in 0..s.len() as u32 {
                let terms = s.terms(&pq, q, e);
                let bound = terms.add_to(s.name_logit_bound(e, terms.date_feat));
                let (_, _, x) = s.name_raw(&pq, e, terms.date_feat, &mut pairs);
                let logit = terms.add_to(x);
                prop_assert!(bound >= logit, "bound {} < score {}", bound, logit);
                let mut ex = Explanation::default();
                prop_assert_eq!(s.explain_entry(&pq, q, e, &mut ex, &mut pairs).to_bits(), logit.to_bits());
            }
        }
    }
}

/// Names of `syllables` syllables that share no retrieval key with the
/// names of the tests below: `n` of them, all different.
fn filler_names(n: usize, syllables: u32) -> Vec<String> {
    const S: [&str; 6] = ["Bo", "Ku", "Te", "Pi", "Ro", "Fe"];
    (0..n).map(|i| (0..syllables).map(|k| S[i / 6usize.pow(k) % 6]).collect::<String>()).collect()
}

fn person(given: &str, surnames: &str, born: &str) -> AlertEntry {
    AlertEntry {
        id: format!("{given} {surnames}"),
        given_names: given.into(),
        surnames: surnames.into(),
        birth_dates: vec![BirthDate::parse(born).unwrap()],
        ..Default::default()
    }
}

fn retrieved_ids(s: &Screener, q: &Query) -> Vec<String> {
    s.retrieved(q, &ScreenOptions::default()).into_iter().map(|e| s.entry(e).id.clone()).collect()
}

proptest! {
    /// A letter dropped from a written name (or typed in, seen from the
    /// other side) leaves the two codes sharing a retrieval key, even when
    /// the drop brings two equal letters together (AMANDA, AANDA): the
    /// shorter code is the longer's own or one of its deletion keys.
    #[test]
    fn a_dropped_letter_leaves_a_shared_key(w in "[AEIOUBDFMNRT]{4,12}", at in 0usize..12) {
        let at = at % w.len();
        let dropped: String = w.chars().enumerate().filter(|&(i, _)| i != at).map(|(_, c)| c).collect();
        let (long, short) = (phonetic::code(&w), phonetic::code(&dropped));
        let mut keys = Vec::new();
        keys_of(long.as_bytes(), |k, _| keys.push(k.to_vec()));
        if long.len() >= 4 {
            prop_assert!(short == long || keys.contains(&short.into_bytes()), "{} / {}: {:?}", w, dropped, keys);
        }
    }
}

/// AMANDA with its M dropped is AANDA, coded ANDA: among two hundred other
/// SILVAs born the same day, listed before her, she is still retrieved.
#[test]
fn a_drop_that_joins_two_equal_letters_is_retrieved() {
    let mut list: Vec<AlertEntry> = filler_names(200, 3).iter().map(|g| person(g, "Silva", "1990-05-05")).collect();
    list.push(person("Amanda", "Silva", "1990-05-05"));
    let s = Screener::build(list);
    let mut q = Query::new("Aanda", "Silva");
    q.birth_date = Some(BirthDate::parse("1990-05-05").unwrap());
    assert!(retrieved_ids(&s, &q).contains(&"Amanda Silva".to_string()));
    let hits = s.screen(&q, &ScreenOptions::default());
    assert_eq!(s.entry(hits[0].entry).id, "Amanda Silva");
}

/// LUTS for LUIS: its only key in common with LUIS, LUS, is every LUZ's
/// too, too crowded to walk; among the MORALES GARCIA the other names
/// find, it still tells Luis from the others (listed before him).
#[test]
fn a_crowded_typo_key_still_ranks_what_other_keys_found() {
    let mut list: Vec<AlertEntry> =
        filler_names(TYPO_LIST_LIMIT + 100, 5).iter().map(|f| person("Luz", f, "1970-03-03")).collect();
    list.extend(filler_names(100, 3).iter().map(|g| person(g, "Morales Garcia", "1960-01-01")));
    list.push(person("Luis", "Morales Garcia", "2000-01-01"));
    let s = Screener::build(list);
    let q = Query::new("Luts", "Morales Garcia");
    assert!(retrieved_ids(&s, &q).contains(&"Luis Morales Garcia".to_string()));
    // Retrieved, and what the scorer makes of it.
    let o = (0..s.len() as u32).find(|&o| s.entry(o).id == "Luis Morales Garcia").unwrap();
    let best = s.screen(&q, &ScreenOptions::candidates(1));
    assert_eq!(best[0].entry, o);
    assert_eq!(best[0].score.to_bits(), s.score(&q, o).to_bits());
}
