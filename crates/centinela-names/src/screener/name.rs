//! Name evidence: the query prepared, tokens aligned one to one (written
//! together, across fields), and what the aligned and unaligned tokens
//! are worth.

use super::*;

/// A query token, prepared.
pub(super) struct QTok {
    pub(super) text: Vec<u8>,
    pub(super) code: Vec<u8>,
    pub(super) joined: Option<(Vec<u8>, Vec<u8>)>,
    pub(super) field: Field,
    pub(super) tok: u32,
}

pub(super) struct PreparedQuery {
    pub(super) toks: Vec<QTok>,
    pub(super) date: Option<BirthDate>,
    pub(super) date_packed: u32,
    /// The nationality's number in `nat_id` ([`NAT_UNLISTED`] if no entry
    /// lists it).
    pub(super) nat: Option<u16>,
}

impl Screener {
    pub(super) fn prepare_query(&self, q: &Query) -> PreparedQuery {
        let mut toks = Vec::new();
        for (s, field) in [(&q.given_names, Field::Given), (&q.surnames, Field::Surname)] {
            for t in tokenize(s).into_iter().take(MAX_TOKENS) {
                let text = t.text.as_bytes().to_vec();
                let mut code = Vec::with_capacity(text.len());
                phonetic::code_into(&text, &mut code);
                let joined = t.joined().map(|j| {
                    let mut c = Vec::new();
                    phonetic::code_into(j.as_bytes(), &mut c);
                    (j.into_bytes(), c)
                });
                let tok = self.tok_map.get(t.text.as_str()).copied().unwrap_or(NONE);
                toks.push(QTok { text, code, joined, field, tok });
            }
        }
        let nat = q.nationality.map(|n| self.nat_id.get(&n).copied().unwrap_or(NAT_UNLISTED));
        PreparedQuery { toks, date: q.birth_date, date_packed: dates::pack(q.birth_date.as_ref()), nat }
    }

    /// The name evidence of internal entry `e`: that of its name record
    /// (primary name or an alias) worth most with the entry's birth-date
    /// feature `date_feat`, the record's number, and what it is worth
    /// ([`Screener::name_logit`]).
    pub(super) fn name_raw(
        &self,
        pq: &PreparedQuery,
        e: u32,
        date_feat: Option<usize>,
        pairs: &mut PairCache,
    ) -> (NameEv, u16, f64) {
        let slots = &self.slots[self.slot_off[e as usize] as usize..self.slot_off[e as usize + 1] as usize];
        let mut best: Option<(NameEv, u16, f64)> = None;
        for rec in slots.chunk_by(|a, b| a.name == b.name) {
            let ev = self.name_evidence(pq, e, rec, None, pairs, None);
            let x = self.name_logit(&ev, date_feat);
            if best.is_none_or(|b| x > b.2) {
                best = Some((ev, rec[0].name, x));
            }
        }
        best.unwrap_or_else(|| {
            let ev = NameEv::default();
            (ev, 0, self.name_logit(&ev, date_feat))
        })
    }

    /// How many entries of the list could carry a name by chance, in nats:
    /// `ln N` less the information of the matched tokens, in
    /// `0..=CHANCE_MAX`.
    #[inline]
    pub(super) fn chance(&self, info: f64) -> f64 {
        (self.ln_n - info).clamp(0.0, CHANCE_MAX)
    }

    /// How much rarer a name with `info` nats of matched information is
    /// than chance: `info − ln N`, in `−CHANCE_MAX..=NAME_CAP`.
    #[inline]
    pub(super) fn excess(&self, info: f64) -> f64 {
        (info - self.ln_n).clamp(-CHANCE_MAX, NAME_CAP)
    }

    /// The log-odds before the birth-date, nationality, sex and document
    /// terms: the bias, the name's net evidence (its tokens plus the `ln N`
    /// term, capped at [`NAME_CAP`]), its unmatched tokens, and the chance
    /// terms (a name many entries could share; how much rarer than chance
    /// the name is, weighed by the birth-date agreement `date_feat`). Added in this order (the scores depend on it to
    /// the last bit).
    #[inline]
    pub(super) fn name_logit(&self, ev: &NameEv, date_feat: Option<usize>) -> f64 {
        let mut x = BIAS;
        x += (ev.tokens + WEIGHTS[f::LN_N] * self.ln_n).min(NAME_CAP);
        x += ev.penalty;
        x += WEIGHTS[f::NAME_CHANCE] * self.chance(ev.info);
        x += date_excess_weight(date_feat) * self.excess(ev.info);
        x
    }

    /// An upper bound of [`Screener::name_logit`] for internal entry `e`
    /// with birth-date feature `date_feat`, from its record's name bound:
    /// every matched token is worth at most its information times the
    /// largest token weight, the unmatched tokens cost, and the chance
    /// terms grow with the matched information (the signs of the weights
    /// make it so: a unit test checks the shipped ones).
    #[inline]
    pub(super) fn name_logit_bound(&self, e: u32, date_feat: Option<usize>) -> f64 {
        let ub = self.facts[e as usize].name_ub as f64;
        BIAS + (MAX_TOKEN_WEIGHT * ub + WEIGHTS[f::LN_N] * self.ln_n).min(NAME_CAP)
            + WEIGHTS[f::NAME_CHANCE] * self.chance(ub)
            + date_excess_weight(date_feat) * self.excess(ub)
            + 1e-9
    }

    /// Similarity of a query token and a listed token (slot).
    pub(super) fn pair(&self, qt: &QTok, s: &Slot) -> (f32, TokenMatch) {
        if qt.tok == s.tok {
            return (1.0, TokenMatch::Exact);
        }
        let (et, ec) = (self.text(s.tok), self.code(s.tok));
        let mut best = token_similarity(&qt.text, &qt.code, et, ec);
        if best.0 < 1.0 {
            if s.joined != NONE {
                let j = token_similarity(&qt.text, &qt.code, self.text(s.joined), self.code(s.joined));
                if j.0 > best.0 {
                    best = (j.0, TokenMatch::Particle);
                }
            }
            if let Some((jt, jc)) = &qt.joined {
                let j = token_similarity(jt, jc, et, ec);
                if j.0 > best.0 {
                    best = (j.0, TokenMatch::Particle);
                }
            }
        }
        best
    }

    /// Aligns tokens that stand for two adjacent names of the other side
    /// written as one word; marks them and adds their evidence to `ev`.
    #[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
    pub(super) fn joined_names(
        &self,
        pq: &PreparedQuery,
        rec: &[Slot],
        nq: usize,
        ne: usize,
        used_q: &mut [bool; MAX_TOKENS],
        used_e: &mut [bool; 2 * MAX_TOKENS],
        mut ex: Option<&mut Explanation>,
        pairs: &mut PairCache,
        ev: &mut NameEv,
        mut feats: Option<&mut Features>,
    ) {
        let (cat, code) = (&mut pairs.cat, &mut pairs.code);
        let value = |info: f64, sim: f32| info * ((sim as f64 - 0.5) / 0.5).clamp(0.0, 1.0);
        // A word present as such on both sides aligns with itself, never
        // inside names written together.
        let mut twin_q = [false; MAX_TOKENS];
        let mut twin_e = [false; 2 * MAX_TOKENS];
        for (i, qt) in pq.toks.iter().take(nq).enumerate() {
            if qt.tok == NONE {
                continue;
            }
            for (j, s) in rec.iter().take(ne).enumerate() {
                if s.tok == qt.tok {
                    twin_q[i] = true;
                    twin_e[j] = true;
                }
            }
        }
        // A query word for two listed names.
        for i in 0..nq {
            let qt = &pq.toks[i];
            if qt.tok != NONE || qt.text.len() < 6 || ne < 2 {
                continue;
            }
            for j in 0..ne - 1 {
                if used_e[j] || used_e[j + 1] || twin_e[j] || twin_e[j + 1] || rec[j].field != rec[j + 1].field {
                    continue;
                }
                let (a, b) = (self.text(rec[j].tok), self.text(rec[j + 1].tok));
                if (a.len() + b.len()).abs_diff(qt.text.len()) > 2 {
                    continue;
                }
                cat.clear();
                cat.extend_from_slice(a);
                cat.extend_from_slice(b);
                code.clear();
                phonetic::code_into(cat, code);
                let (sim, _) = token_similarity(&qt.text, &qt.code, cat, code);
                if sim >= JOINED_MIN_SIM {
                    let raw = value(self.info(rec[j].tok) + self.info(rec[j + 1].tok), sim);
                    let v = WEIGHTS[f::OTHER] * raw;
                    used_q[i] = true;
                    used_e[j] = true;
                    used_e[j + 1] = true;
                    ev.tokens += v;
                    ev.info += raw;
                    if let Some(fs) = feats.as_deref_mut() {
                        fs[f::OTHER] += raw;
                    }
                    if let Some(ex) = ex.as_deref_mut() {
                        let how = format!(
                            "{} ~ {} {} (names written together)",
                            String::from_utf8_lossy(&qt.text),
                            String::from_utf8_lossy(a),
                            String::from_utf8_lossy(b)
                        );
                        ex.push(Aspect::Name, how, v);
                    }
                    break;
                }
            }
        }
        // A listed word for two query names.
        for j in 0..ne {
            let et = self.text(rec[j].tok);
            if used_e[j] || twin_e[j] || et.len() < 6 || nq < 2 {
                continue;
            }
            for i in 0..nq - 1 {
                let (qa, qb) = (&pq.toks[i], &pq.toks[i + 1]);
                if used_q[i] || used_q[i + 1] || twin_q[i] || twin_q[i + 1] || qa.field != qb.field {
                    continue;
                }
                if (qa.text.len() + qb.text.len()).abs_diff(et.len()) > 2 {
                    continue;
                }
                cat.clear();
                cat.extend_from_slice(&qa.text);
                cat.extend_from_slice(&qb.text);
                code.clear();
                phonetic::code_into(cat, code);
                let (sim, _) = token_similarity(cat, code, et, self.code(rec[j].tok));
                if sim >= JOINED_MIN_SIM {
                    let raw = value(self.info(rec[j].tok), sim);
                    let v = WEIGHTS[f::OTHER] * raw;
                    used_q[i] = true;
                    used_q[i + 1] = true;
                    used_e[j] = true;
                    ev.tokens += v;
                    ev.info += raw;
                    if let Some(fs) = feats.as_deref_mut() {
                        fs[f::OTHER] += raw;
                    }
                    if let Some(ex) = ex.as_deref_mut() {
                        let how = format!(
                            "{} {} ~ {} (names written together)",
                            String::from_utf8_lossy(&qa.text),
                            String::from_utf8_lossy(&qb.text),
                            String::from_utf8_lossy(et)
                        );
                        ex.push(Aspect::Name, how, v);
                    }
                    break;
                }
            }
        }
    }

    /// How much the information of internal entry `e`'s first given name
    /// and first surname, counted apart, overstates that of the two
    /// together (nats, not negative): `min(info(given) + info(surname),
    /// ln N) − min(ln 1/p(pair), ln N)`, `p(pair)` the pair's frequency in
    /// the list (by phonetic code, as the tokens' information is counted).
    /// Names of a country go together (JOSÉ and HERNÁNDEZ are both
    /// Mexican), so the product of their frequencies makes the pair look
    /// rarer than it is; a pair no other entry carries overstates nothing.
    /// `rec` is the entry's primary name; also returns how many entries
    /// carry the pair.
    pub(super) fn whole_name_overstated(&self, e: u32, rec: &[Slot]) -> (f64, u32) {
        let df = self.pair_df[e as usize];
        let given = rec.iter().find(|s| s.field == Field::Given);
        let surname = rec.iter().find(|s| s.field == Field::Surname);
        let (Some(g), Some(s)) = (given, surname) else { return (0.0, df) };
        let n = self.entries.len() as f64;
        let pair = ((n + PSEUDO_A) / (df as f64 + PSEUDO_A * PSEUDO_P0 * PSEUDO_P0)).ln();
        let apart = self.info(g.tok) + self.info(s.tok);
        ((apart.min(self.ln_n) - pair.min(self.ln_n)).max(0.0), df)
    }

    /// Name evidence of one name record of internal entry `e`, by
    /// one-to-one alignment: each query token with at most one listed
    /// token, the pairs worth most first. With `feats`, also adds the
    /// record's name features.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn name_evidence(
        &self,
        pq: &PreparedQuery,
        e: u32,
        rec: &[Slot],
        mut ex: Option<&mut Explanation>,
        pairs: &mut PairCache,
        mut feats: Option<&mut Features>,
    ) -> NameEv {
        let nq = pq.toks.len().min(MAX_TOKENS);
        let ne = rec.len().min(2 * MAX_TOKENS);
        let mut w = [[f64::NEG_INFINITY; 2 * MAX_TOKENS]; MAX_TOKENS];
        let mut raw = [[0f64; 2 * MAX_TOKENS]; MAX_TOKENS];
        let mut cat = [[0u8; 2 * MAX_TOKENS]; MAX_TOKENS];
        let mut how = [[TokenMatch::Exact; 2 * MAX_TOKENS]; MAX_TOKENS];
        let mut ev = NameEv::default();
        // Names written together ("CARREROMANZANARES" for "Carrero
        // Manzanares"), on either side, align first.
        let mut joined_q = [false; MAX_TOKENS];
        let mut joined_e = [false; 2 * MAX_TOKENS];
        self.joined_names(
            pq,
            rec,
            nq,
            ne,
            &mut joined_q,
            &mut joined_e,
            ex.as_deref_mut(),
            pairs,
            &mut ev,
            feats.as_deref_mut(),
        );
        // Identical tokens align with each other: no need to compare them
        // with anything else.
        let mut exact_q = joined_q;
        let mut exact_e = joined_e;
        for (i, qt) in pq.toks.iter().take(nq).enumerate() {
            if qt.tok == NONE || joined_q[i] {
                continue;
            }
            if let Some(j) = (0..ne).find(|&j| !exact_e[j] && rec[j].tok == qt.tok) {
                exact_q[i] = true;
                exact_e[j] = true;
            }
        }
        for (i, qt) in pq.toks.iter().take(nq).enumerate() {
            for (j, s) in rec.iter().take(ne).enumerate() {
                if ((exact_q[i] || exact_e[j]) && qt.tok != s.tok) || joined_q[i] || joined_e[j] {
                    continue;
                }
                let (sim, kind) = pairs.get(i as u32, s.tok, s.joined, || self.pair(qt, s));
                if sim < MIN_SIM {
                    continue;
                }
                let info = self.info(s.tok);
                let cross = s.field != Field::Any && s.field != qt.field;
                let (v, c) = if kind == TokenMatch::Initial {
                    (info.min(INITIAL), f::INITIAL)
                } else {
                    let c = match (s.field, cross) {
                        (Field::Given, false) => f::GIVEN,
                        (Field::Surname, false) => f::SURNAME,
                        _ => f::OTHER,
                    };
                    (info * ((sim as f64 - 0.5) / 0.5).clamp(0.0, 1.0), c)
                };
                w[i][j] = WEIGHTS[c] * v + if cross { WEIGHTS[f::CROSS_FIELD] } else { 0.0 };
                raw[i][j] = v;
                cat[i][j] = c as u8;
                how[i][j] = kind;
            }
        }
        let mut used_q = joined_q;
        let mut used_e = joined_e;
        loop {
            let mut best = (f64::NEG_INFINITY, 0, 0);
            for i in 0..nq {
                if used_q[i] {
                    continue;
                }
                for j in 0..ne {
                    if !used_e[j] && w[i][j] > best.0 {
                        best = (w[i][j], i, j);
                    }
                }
            }
            if !best.0.is_finite() {
                break;
            }
            let (v, i, j) = best;
            used_q[i] = true;
            used_e[j] = true;
            ev.tokens += v;
            ev.info += raw[i][j];
            let s = &rec[j];
            let qt = &pq.toks[i];
            let cross = s.field != Field::Any && s.field != qt.field;
            if let Some(fs) = feats.as_deref_mut() {
                fs[cat[i][j] as usize] += raw[i][j];
                if cross {
                    fs[f::CROSS_FIELD] += 1.0;
                }
            }
            if let Some(ex) = ex.as_deref_mut() {
                let aspect = match (qt.field, s.field) {
                    (Field::Given, Field::Given) => Aspect::GivenName,
                    (Field::Surname, Field::Surname) => Aspect::Surname,
                    _ => Aspect::Name,
                };
                let cross = if cross { ", other field" } else { "" };
                let sign = if how[i][j] == TokenMatch::Exact { "=" } else { "~" };
                ex.push(
                    aspect,
                    format!(
                        "{} {sign} {} ({}{cross})",
                        String::from_utf8_lossy(&qt.text),
                        String::from_utf8_lossy(self.text(s.tok)),
                        how[i][j].as_str()
                    ),
                    v,
                );
            }
        }
        let uq = used_q[..nq].iter().filter(|u| !**u).count();
        let ue = used_e[..ne].iter().filter(|u| !**u).count();
        let conflicts = uq.min(ue);
        // Conflicts are charged first to the listed surnames left unmatched:
        // a different surname is stronger evidence than a different given name.
        let ue_sur = (0..ne).filter(|&j| !used_e[j] && rec[j].field != Field::Given).count();
        let sur_conf = conflicts.min(ue_sur);
        let giv_conf = conflicts - sur_conf;
        let counts = [
            (f::CONFLICT_SURNAME, sur_conf),
            (f::CONFLICT_GIVEN, giv_conf),
            (f::EXTRA_TRAVELLER, uq - conflicts),
            (f::EXTRA_LISTED_GIVEN, ue - ue_sur - giv_conf),
            (f::EXTRA_LISTED_SURNAME, ue_sur - sur_conf),
        ];
        for (c, n) in counts {
            ev.penalty += WEIGHTS[c] * n as f64;
            if let Some(fs) = feats.as_deref_mut() {
                fs[c] += n as f64;
            }
        }
        let unmatched = ev.penalty;
        // The listed first surname left out and a later one given ("Juan
        // López" for Juan Acosta López): Hispanic short forms keep the
        // first surname, so a traveller who carries only the second is
        // weaker evidence. On top of the extra listed surname it also is.
        let first_dropped = ue_sur > sur_conf && first_surname_dropped(&rec[..ne], &used_e[..ne]);
        let first_w = if first_dropped { WEIGHTS[f::EXTRA_LISTED_FIRST_SURNAME] } else { 0.0 };
        if first_dropped {
            ev.penalty += first_w;
            if let Some(fs) = feats.as_deref_mut() {
                fs[f::EXTRA_LISTED_FIRST_SURNAME] += 1.0;
            }
        }
        // The primary name's first given name and first surname both
        // matched: what their frequencies counted apart overstate.
        let first_of = |field| rec[..ne].iter().position(|s| s.field == field);
        let mut whole = None;
        if rec.first().is_some_and(|s| s.name == 0)
            && let (Some(g), Some(s)) = (first_of(Field::Given), first_of(Field::Surname))
            && used_e[g]
            && used_e[s]
        {
            let (x, df) = self.whole_name_overstated(e, &rec[..ne]);
            let w = WEIGHTS[f::WHOLE_NAME_OVERSTATED] * x;
            ev.penalty += w;
            if let Some(fs) = feats {
                fs[f::WHOLE_NAME_OVERSTATED] += x;
            }
            whole = Some((w, df));
        }
        if let Some(ex) = ex.as_deref_mut()
            && let Some((w, df)) = whole
            && w != 0.0
        {
            ex.push(Aspect::Name, format!("given name and first surname carried together by {df} entries"), w);
        }
        if let Some(ex) = ex
            && (uq > 0 || ue > 0)
        {
            let list = |v: Vec<String>| v.join(" ");
            let qs: Vec<String> = (0..nq)
                .filter(|&i| !used_q[i])
                .map(|i| String::from_utf8_lossy(&pq.toks[i].text).into_owned())
                .collect();
            let es: Vec<String> = (0..ne)
                .filter(|&j| !used_e[j])
                .map(|j| String::from_utf8_lossy(self.text(rec[j].tok)).into_owned())
                .collect();
            let how = match (qs.is_empty(), es.is_empty()) {
                (false, false) => format!("unmatched: {} (traveller) vs {} (list)", list(qs), list(es)),
                (false, true) => format!("not on the list entry: {}", list(qs)),
                _ => format!("not given by the traveller: {}", list(es)),
            };
            ex.push(Aspect::Name, how, unmatched);
            if first_w != 0.0
                && let Some(j) = rec[..ne].iter().position(|s| s.field == Field::Surname)
            {
                let how =
                    format!("first surname left out, second kept: {}", String::from_utf8_lossy(self.text(rec[j].tok)));
                ex.push(Aspect::Surname, how, first_w);
            }
        }
        ev
    }
}

/// Whether the first of a name record's surnames is left unmatched while
/// a later one is matched (`used[j]`: slot `j` of `rec` is aligned).
pub(super) fn first_surname_dropped(rec: &[Slot], used: &[bool]) -> bool {
    let mut surnames = rec.iter().zip(used).filter(|(s, _)| s.field == Field::Surname).map(|(_, &u)| u);
    surnames.next() == Some(false) && surnames.any(|u| u)
}
