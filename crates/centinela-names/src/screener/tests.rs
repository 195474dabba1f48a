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
