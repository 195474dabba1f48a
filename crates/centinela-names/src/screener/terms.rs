//! The terms of a score besides the name (birth date, nationality, sex,
//! document number), the features the fitting reads, and the explanation
//! of a hit.

use super::*;

impl Screener {
    /// Explains the score of internal entry `e`; returns its log-odds.
    pub(super) fn explain_entry(
        &self,
        pq: &PreparedQuery,
        q: &Query,
        e: u32,
        ex: &mut Explanation,
        pairs: &mut PairCache,
    ) -> f64 {
        let entry = &self.entries[self.orig[e as usize] as usize];
        let terms = self.entry_terms(pq, q, entry);
        let (ev, name, x) = self.name_raw(pq, e, terms.date_feat, pairs);
        let slots = &self.slots[self.slot_off[e as usize] as usize..self.slot_off[e as usize + 1] as usize];
        let rec: Vec<Slot> = slots.iter().copied().filter(|s| s.name == name).collect();
        self.name_evidence(pq, e, &rec, Some(ex), pairs, None);
        let net = (ev.tokens + WEIGHTS[f::LN_N] * self.ln_n).min(NAME_CAP);
        let capped = if ev.tokens + WEIGHTS[f::LN_N] * self.ln_n > NAME_CAP { ", capped" } else { "" };
        ex.push(Aspect::Prior, format!("one of {} entries{capped}", self.entries.len()), BIAS + net - ev.tokens);
        // About how many entries could carry the name by chance.
        let carriers = (self.ln_n - ev.info).clamp(-CHANCE_MAX, CHANCE_MAX).exp();
        let carriers = if carriers >= 10.0 {
            format!("{carriers:.0}")
        } else if carriers >= 0.01 {
            format!("{carriers:.2}")
        } else {
            "< 0.01".to_string()
        };
        let w = WEIGHTS[f::NAME_CHANCE] * self.chance(ev.info);
        if w != 0.0 {
            ex.push(Aspect::Name, format!("about {carriers} entries could carry this name by chance"), w);
        }
        let w = date_excess_weight(terms.date_feat) * self.excess(ev.info);
        if w != 0.0 {
            let date = match terms.date_feat {
                Some(f::DATE_EXACT) => "the same birth date",
                Some(_) => "a near birth date",
                None => "no birth date compared",
            };
            ex.push(Aspect::Name, format!("{date}, for a name about {carriers} entries could carry"), w);
        }
        self.explain_terms(pq, q, entry, &terms, ex);
        terms.add_to(x)
    }

    /// The features of the traveller `q` against the entry at input
    /// position `o` (see [`crate::model::FEATURES`]): what the score
    /// weighs, before the weights. For fitting the weights
    /// (`centinela screen --features`).
    pub fn features(&self, q: &Query, o: u32) -> Features {
        let mut fs = [0.0; NF];
        let pq = self.prepare_query(q);
        let e = self.internal(o);
        let entry = &self.entries[o as usize];
        let terms = self.entry_terms(&pq, q, entry);
        let mut pairs = PairCache { query: 0, slots: Vec::new(), cat: Vec::new(), code: Vec::new() };
        pairs.next_query();
        let (ev, name, _) = self.name_raw(&pq, e, terms.date_feat, &mut pairs);
        let slots = &self.slots[self.slot_off[e as usize] as usize..self.slot_off[e as usize + 1] as usize];
        let rec: Vec<Slot> = slots.iter().copied().filter(|s| s.name == name).collect();
        self.name_evidence(&pq, e, &rec, None, &mut pairs, Some(&mut fs));
        fs[f::BIAS] = 1.0;
        fs[f::LN_N] = self.ln_n;
        fs[f::NAME_CHANCE] = self.chance(ev.info);
        let excess = self.excess(ev.info);
        match terms.date_feat {
            None => fs[f::NO_DATE_EXCESS] = excess,
            Some(d) => {
                fs[d] = 1.0;
                if d == f::DATE_EXACT {
                    fs[f::EXACT_DATE_EXCESS] = excess;
                } else if d == f::DATE_YEAR_TYPO || d == f::DATE_YEAR_DIGIT {
                    fs[f::YEAR_TYPO_EXCESS] = excess;
                } else if is_near(d) {
                    fs[f::NEAR_DATE_EXCESS] = excess;
                }
            }
        }
        if let (Some(n), Some(id)) = (q.nationality, pq.nat)
            && !entry.nationalities.is_empty()
        {
            if entry.nationalities.contains(&n) {
                fs[f::NAT_AGREE] = self.nat_w[id as usize];
            } else {
                fs[f::NAT_CLASH] = 1.0;
            }
        }
        if sex_term(q.sex, entry.sex).is_some() {
            fs[if q.sex == entry.sex { f::SEX_AGREE } else { f::SEX_CLASH }] = 1.0;
        }
        fs
    }

    /// The birth-date, nationality, sex and document terms of internal
    /// entry `e`: from its [`Fact`], reading the entry only when the record
    /// cannot tell and the query has what to compare.
    #[inline]
    pub(super) fn terms(&self, pq: &PreparedQuery, q: &Query, e: u32) -> Terms {
        let f = &self.facts[e as usize];
        if (f.flags & READ_DATES != 0 && pq.date.is_some())
            || (f.flags & READ_NATS != 0 && pq.nat.is_some())
            || (f.flags & HAS_DOCS != 0 && q.document_number.is_some())
        {
            return self.entry_terms(pq, q, &self.entries[self.orig[e as usize] as usize]);
        }
        let (_, date_feat, date) = match (pq.date.as_ref(), dates::unpack(f.date0)) {
            (Some(qd), Some(d)) => date_evidence(Some(qd), std::slice::from_ref(&d)),
            _ => (DateMatch::Missing, None, 0.0),
        };
        let nat = match pq.nat {
            Some(n) if f.nat != NAT_NONE => Some(if n == f.nat { self.nat_agree(n) } else { WEIGHTS[f::NAT_CLASH] }),
            _ => None,
        };
        Terms { date, date_feat, nat, sex: sex_term(q.sex, f.sex), doc: None }
    }

    /// [`Screener::terms`] read from the entry itself.
    pub(super) fn entry_terms(&self, pq: &PreparedQuery, q: &Query, entry: &AlertEntry) -> Terms {
        let (_, date_feat, date) = date_evidence(pq.date.as_ref(), &entry.birth_dates);
        let nat = match (q.nationality, pq.nat) {
            (Some(n), Some(id)) if !entry.nationalities.is_empty() => {
                // A nationality an entry lists has a number.
                Some(if entry.nationalities.contains(&n) { self.nat_agree(id) } else { WEIGHTS[f::NAT_CLASH] })
            }
            _ => None,
        };
        let doc = match &q.document_number {
            Some(d) if !entry.document_numbers.is_empty() => Some(doc_agreement(&entry.document_numbers, d).0),
            _ => None,
        };
        Terms { date, date_feat, nat, sex: sex_term(q.sex, entry.sex), doc }
    }

    /// Explains `terms` (of `entry`, see [`Screener::entry_terms`]).
    pub(super) fn explain_terms(
        &self,
        pq: &PreparedQuery,
        q: &Query,
        entry: &AlertEntry,
        terms: &Terms,
        ex: &mut Explanation,
    ) {
        let (dm, _, _) = date_evidence(pq.date.as_ref(), &entry.birth_dates);
        let shown = match (pq.date, entry.birth_dates.first()) {
            (Some(a), Some(b)) if dm != dates::DateMatch::Missing => format!(" ({a} vs {b})"),
            _ => String::new(),
        };
        let how = match terms.date_feat {
            Some(f::DATE_YEAR_TYPO) => "year off by one",
            Some(f::DATE_YEAR_DIGIT) => "year mistyped (one digit)",
            _ => dm.as_str(),
        };
        ex.push(Aspect::BirthDate, format!("{how}{shown}"), terms.date);
        if let (Some(n), Some(w)) = (q.nationality, terms.nat) {
            let how = if entry.nationalities.contains(&n) {
                format!("{n} = {n}")
            } else {
                format!("{n} not in {}", join(&entry.nationalities))
            };
            ex.push(Aspect::Nationality, how, w);
        }
        if let Some(w) = terms.sex {
            let how = if q.sex == entry.sex { "same" } else { "differs" };
            ex.push(Aspect::Sex, format!("{how} ({} vs {})", q.sex.as_str(), entry.sex.as_str()), w);
        }
        if let (Some(d), Some(w)) = (&q.document_number, terms.doc) {
            let how = match doc_agreement(&entry.document_numbers, d).1 {
                DocAgreement::Exact => format!("{d} = {d}"),
                DocAgreement::Confusable => format!("{d} ~ listed number (OCR confusion)"),
                DocAgreement::Clash => format!("{d} not listed"),
            };
            ex.push(Aspect::DocumentNumber, how, w);
        }
    }
}

/// How a traveller's document number agrees with an entry's listed ones.
pub(super) enum DocAgreement {
    Exact,
    Confusable,
    Clash,
}

/// The document term (nats) of `listed` numbers for the traveller's `d`,
/// and how they agree.
pub(super) fn doc_agreement(listed: &[DocumentNumber], d: &DocumentNumber) -> (f64, DocAgreement) {
    if listed.contains(d) {
        (DOC_EXACT, DocAgreement::Exact)
    } else if listed.iter().any(|x| x.confusable_key() == d.confusable_key()) {
        (DOC_CONFUSABLE, DocAgreement::Confusable)
    } else {
        (DOC_CLASH, DocAgreement::Clash)
    }
}

/// The sex term: agreeing or not when both are known.
#[inline]
pub(super) fn sex_term(q: Sex, e: Sex) -> Option<f64> {
    let known = |s: Sex| matches!(s, Sex::Male | Sex::Female);
    (known(q) && known(e)).then(|| if q == e { WEIGHTS[f::SEX_AGREE] } else { WEIGHTS[f::SEX_CLASH] })
}

/// The birth-date feature of a comparison; `parts` is the fewer parts
/// (year, month, day) of the two dates.
pub(super) fn date_feature(m: DateMatch, parts: u8) -> Option<usize> {
    Some(match m {
        DateMatch::Missing => return None,
        DateMatch::Exact => f::DATE_EXACT,
        DateMatch::Consistent if parts >= 2 => f::DATE_CONSISTENT_YM,
        DateMatch::Consistent => f::DATE_CONSISTENT_Y,
        DateMatch::DayMonthSwapped => f::DATE_SWAPPED,
        DateMatch::YearTypo => f::DATE_YEAR_TYPO,
        DateMatch::DayOrMonthTypo => f::DATE_DAY_MONTH_TYPO,
        DateMatch::SameYearMonth => f::DATE_SAME_YEAR_MONTH,
        DateMatch::SameYear => f::DATE_SAME_YEAR,
        DateMatch::Close => f::DATE_CLOSE,
        DateMatch::Different => f::DATE_DIFFERENT,
    })
}

/// Whether a birth-date feature is a near (not equal, not clearly
/// different) agreement: the kind namesakes produce by chance.
pub(super) fn is_near(feat: usize) -> bool {
    matches!(
        feat,
        f::DATE_CONSISTENT_YM
            | f::DATE_CONSISTENT_Y
            | f::DATE_SWAPPED
            | f::DATE_YEAR_TYPO
            | f::DATE_DAY_MONTH_TYPO
            | f::DATE_SAME_YEAR_MONTH
            | f::DATE_CLOSE
            | f::DATE_DAY_UNKNOWN
            | f::DATE_YEAR_DIGIT
    )
}

pub(super) fn date_parts(d: &BirthDate) -> u8 {
    1 + d.month.is_some() as u8 + d.day.is_some() as u8
}

/// The best agreement of a traveller's birth date with any of an entry's,
/// under the model: how they agree, the feature and its weight.
pub(super) fn date_evidence(q: Option<&BirthDate>, entry: &[BirthDate]) -> (DateMatch, Option<usize>, f64) {
    let Some(q) = q else { return (DateMatch::Missing, None, 0.0) };
    let mut best = (DateMatch::Missing, None, f64::NEG_INFINITY);
    for e in entry {
        let m = dates::compare(q, e);
        let mut feat = date_feature(m, date_parts(q).min(date_parts(e))).map(|i| year_kind(q, e, i));
        let mut w = feat.map_or(0.0, |i| WEIGHTS[i]);
        let mut shown = m;
        if let Some(p) = placeholder(q, e, m)
            && WEIGHTS[p] > w
        {
            (feat, w, shown) = (Some(p), WEIGHTS[p], DateMatch::Consistent);
        }
        if w > best.2 {
            best = (shown, feat, w);
        }
    }
    if best.2 == f64::NEG_INFINITY { (DateMatch::Missing, None, 0.0) } else { best }
}

/// The year-typo feature split by kind: a year off by one keeps
/// [`f::DATE_YEAR_TYPO`]; years one digit apart otherwise (1989 against
/// 1969, or transposed digits) are [`f::DATE_YEAR_DIGIT`], a wider chance
/// window. Any other feature is returned as it is.
pub(super) fn year_kind(q: &BirthDate, e: &BirthDate, feat: usize) -> usize {
    if feat == f::DATE_YEAR_TYPO && q.year.abs_diff(e.year) != 1 { f::DATE_YEAR_DIGIT } else { feat }
}

/// A birth date written with a placeholder for what is unknown, read as
/// the partial date it stands for: two full dates of the same year and
/// month where one day is the 1st and the other is not (an unknown day
/// written as the 1st: [`f::DATE_DAY_UNKNOWN`]), or of the same year in
/// other months where the *listed* one is 1 January (lists write it for
/// an unknown day and month: consistent with the year,
/// [`f::DATE_CONSISTENT_Y`]; a traveller's 1 January is read as a date, as
/// travel documents carry it far more rarely). `m` is
/// [`dates::compare`]'s reading; an equal, swapped or year-mistyped date
/// keeps it.
pub(super) fn placeholder(q: &BirthDate, e: &BirthDate, m: DateMatch) -> Option<usize> {
    if !matches!(m, DateMatch::SameYearMonth | DateMatch::DayOrMonthTypo | DateMatch::SameYear) {
        return None;
    }
    let (Some(qm), Some(qd), Some(em), Some(ed)) = (q.month, q.day, e.month, e.day) else { return None };
    if q.year != e.year {
        return None;
    }
    if qm == em {
        (qd != ed && (qd == 1 || ed == 1)).then_some(f::DATE_DAY_UNKNOWN)
    } else {
        ((em, ed) == (1, 1)).then_some(f::DATE_CONSISTENT_Y)
    }
}

/// An upper bound of the weight of a comparison of `q` with `e` whatever
/// the dates' parts, placeholders included.
pub(super) fn date_weight_bound(q: &BirthDate, e: &BirthDate) -> f64 {
    let m = dates::compare(q, e);
    let w = match m {
        DateMatch::Consistent => WEIGHTS[f::DATE_CONSISTENT_YM].max(WEIGHTS[f::DATE_CONSISTENT_Y]),
        _ => date_feature(m, 3).map_or(0.0, |i| WEIGHTS[year_kind(q, e, i)]),
    };
    placeholder(q, e, m).map_or(w, |p| w.max(WEIGHTS[p]))
}

pub(super) fn join(v: &[CountryCode]) -> String {
    v.iter().map(|c| c.as_str()).collect::<Vec<_>>().join("/")
}
