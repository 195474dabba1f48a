//! Building the index: entries in birth-date order, tokens interned with
//! their phonetic codes, posting lists under every key, token and key
//! information, the per-entry scoring records.

use super::*;

/// Index keys of a phonetic code, with their weight in the pre-ranking:
/// the code itself; for codes of four letters or more, each code with one
/// letter deleted (so that one typo, insertion, deletion or transposition on
/// either side still shares a key: the symmetric-deletion scheme); for long
/// codes, the first four letters (truncated names).
///
/// A deleted key is itself a code: when the deletion brings two equal
/// letters together they are one, as [`phonetic::code_into`] writes a
/// doubled letter once. "AANDA" (AMANDA, its M dropped) is coded ANDA,
/// which is then AMANDA's key: written AANDA, the key would be no code's.
pub(super) fn keys_of(code: &[u8], mut f: impl FnMut(&[u8], f32)) {
    let mut buf = [0u8; 40];
    let n = code.len().min(39);
    let code = &code[..n];
    buf[1..=n].copy_from_slice(code);
    f(&buf[1..=n], 1.0);
    if n >= 4 {
        for i in 0..n {
            if i > 0 && code[i] == code[i - 1] {
                continue;
            }
            buf[1..=i].copy_from_slice(&code[..i]);
            // The letters after the deleted one, less the first when it
            // repeats the one before the deletion.
            let rest = if i > 0 && i + 1 < n && code[i - 1] == code[i + 1] { i + 2 } else { i + 1 };
            let len = i + (n - rest);
            buf[i + 1..=len].copy_from_slice(&code[rest..]);
            f(&buf[1..=len], 0.25);
        }
    }
    if n >= 6 {
        buf[0] = b'<';
        buf[1..5].copy_from_slice(&code[..4]);
        f(&buf[..5], 0.3);
    }
}

pub(super) struct Prepared {
    pub(super) names: Vec<(u16, Field, NameToken)>,
}

pub(super) fn prepare(e: &AlertEntry) -> Prepared {
    let mut names = Vec::new();
    for t in tokenize(&e.given_names).into_iter().take(MAX_TOKENS) {
        names.push((0, Field::Given, t));
    }
    for t in tokenize(&e.surnames).into_iter().take(MAX_TOKENS) {
        names.push((0, Field::Surname, t));
    }
    let primary: Vec<String> = names.iter().map(|n| n.2.text.clone()).collect();
    let mut k = 1u16;
    for alias in &e.aliases {
        let toks = tokenize(alias);
        let mut texts: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
        texts.sort_unstable();
        let mut p: Vec<&str> = primary.iter().map(|s| s.as_str()).collect();
        p.sort_unstable();
        if toks.is_empty() || texts == p || k == u16::MAX {
            continue;
        }
        for t in toks.into_iter().take(MAX_TOKENS) {
            names.push((k, Field::Any, t));
        }
        k += 1;
    }
    Prepared { names }
}

impl Screener {
    /// Builds the index (in parallel).
    ///
    /// Entries are numbered internally in the order of their birth date
    /// ([`dates::index_key`]; entries without one first), so that every
    /// posting list is sorted by birth date as well as by entry, and the
    /// entries born on a day, in a month or in a year are one contiguous
    /// range of numbers. A query then walks only the parts of a posting list
    /// whose dates can still make a hit (see [`Screener::screen`]).
    pub fn build(entries: Vec<AlertEntry>) -> Screener {
        let date_key: Vec<u32> = entries
            .iter()
            .map(|e| match e.birth_dates.as_slice() {
                [d] => dates::index_key(d).unwrap_or(0),
                _ => 0,
            })
            .collect();
        let mut orig: Vec<u32> = (0..entries.len() as u32).collect();
        orig.sort_by_key(|&i| (date_key[i as usize], i));
        let mut date_keys = Vec::new();
        let mut date_start = Vec::new();
        let mut undated = 0u32;
        for (i, &o) in orig.iter().enumerate() {
            match date_key[o as usize] {
                0 => undated += 1,
                k if date_keys.last() != Some(&k) => {
                    date_keys.push(k);
                    date_start.push(i as u32);
                }
                _ => {}
            }
        }
        date_start.push(entries.len() as u32);
        drop(date_key);
        let first_year = date_keys.first().map_or(0, |k| k >> 10);
        let last_year = date_keys.last().map_or(0, |k| k >> 10);
        let year_first: Vec<u32> =
            (first_year..=last_year + 1).map(|y| date_keys.partition_point(|&k| k >> 10 < y) as u32).collect();
        let prepared: Vec<Prepared> = orig.par_iter().map(|&o| prepare(&entries[o as usize])).collect();
        // Intern tokens (and particle-joined forms).
        let mut tok_map: HashMap<Box<str>, u32> = HashMap::new();
        let mut tok_strings: Vec<String> = Vec::new();
        let mut slot_off = Vec::with_capacity(entries.len() + 1);
        let mut slots = Vec::new();
        let mut intern = |s: &str, tok_strings: &mut Vec<String>| -> u32 {
            if let Some(&id) = tok_map.get(s) {
                return id;
            }
            let id = tok_strings.len() as u32;
            tok_map.insert(s.into(), id);
            tok_strings.push(s.to_string());
            id
        };
        slot_off.push(0u32);
        for p in &prepared {
            for (name, field, t) in &p.names {
                let tok = intern(&t.text, &mut tok_strings);
                let joined = match t.joined() {
                    Some(j) => intern(&j, &mut tok_strings),
                    None => NONE,
                };
                slots.push(Slot { tok, joined, name: *name, field: *field });
            }
            slot_off.push(slots.len() as u32);
        }
        drop(prepared);
        // Token texts and codes.
        let codes: Vec<Vec<u8>> = tok_strings
            .par_iter()
            .map(|s| {
                let mut v = Vec::with_capacity(s.len());
                phonetic::code_into(s.as_bytes(), &mut v);
                v
            })
            .collect();
        let mut tok_text = Vec::new();
        let mut tok_text_off = vec![0u32];
        let mut tok_code = Vec::new();
        let mut tok_code_off = vec![0u32];
        for (s, c) in tok_strings.iter().zip(&codes) {
            tok_text.extend_from_slice(s.as_bytes());
            tok_text_off.push(tok_text.len() as u32);
            tok_code.extend_from_slice(c);
            tok_code_off.push(tok_code.len() as u32);
        }
        drop(tok_strings);
        // Keys of every token.
        let mut key_map: HashMap<Box<[u8]>, u32> = HashMap::new();
        let mut tok_keys: Vec<Vec<u32>> = Vec::with_capacity(codes.len());
        let mut tok_key = Vec::with_capacity(codes.len());
        for c in &codes {
            let mut ks = Vec::with_capacity(c.len() + 2);
            keys_of(c, |k, _| {
                let n = key_map.len() as u32;
                let id = match key_map.get(k) {
                    Some(&id) => id,
                    None => {
                        key_map.insert(k.into(), n);
                        n
                    }
                };
                ks.push(id);
            });
            tok_key.push(ks[0]);
            tok_keys.push(ks);
        }
        drop(codes);
        let nkeys = key_map.len();
        // Postings: every entry under every key of its tokens, once.
        let per_entry: Vec<(Vec<u32>, Vec<u32>)> = (0..entries.len())
            .into_par_iter()
            .map(|e| {
                let mut ks = Vec::new();
                let mut exact = Vec::new();
                for s in &slots[slot_off[e] as usize..slot_off[e + 1] as usize] {
                    ks.extend_from_slice(&tok_keys[s.tok as usize]);
                    exact.push(tok_key[s.tok as usize]);
                    if s.joined != NONE {
                        ks.extend_from_slice(&tok_keys[s.joined as usize]);
                    }
                }
                ks.sort_unstable();
                ks.dedup();
                exact.sort_unstable();
                exact.dedup();
                (ks, exact)
            })
            .collect();
        let mut code_df = vec![0u32; nkeys];
        for (_, exact) in &per_entry {
            for &k in exact {
                code_df[k as usize] += 1;
            }
        }
        let mut counts = vec![0u32; nkeys + 1];
        for (ks, _) in &per_entry {
            for &k in ks {
                counts[k as usize + 1] += 1;
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let post_off = counts.clone();
        let mut fill = counts;
        let mut post = vec![0u32; *post_off.last().unwrap_or(&0) as usize];
        for (e, (ks, _)) in per_entry.iter().enumerate() {
            for &k in ks {
                post[fill[k as usize] as usize] = e as u32;
                fill[k as usize] += 1;
            }
        }
        drop(per_entry);
        let n = entries.len() as f64;
        let key_info: Vec<f32> = (0..nkeys)
            .map(|k| {
                let df = (post_off[k + 1] - post_off[k]) as f64;
                ((n + PSEUDO_A) / (df + PSEUDO_A * PSEUDO_P0)).ln().max(0.05) as f32
            })
            .collect();
        let tok_info: Vec<f32> = tok_key
            .iter()
            .map(|&k| ((n + PSEUDO_A) / (code_df[k as usize] as f64 + PSEUDO_A * PSEUDO_P0)).ln().max(0.05) as f32)
            .collect();
        // Name evidence never exceeds the information of the listed tokens
        // it aligns (each aligned pair gives at most its listed token's
        // information, every other term is a cost): summed over a record,
        // in f64 as the scorer sums, and rounded up to f32.
        let name_ub = (0..entries.len()).map(|e| {
            let rec = &slots[slot_off[e] as usize..slot_off[e + 1] as usize];
            let mut best = 0f64;
            for r in rec.chunk_by(|a, b| a.name == b.name) {
                best = best.max(r.iter().map(|s| tok_info[s.tok as usize] as f64).sum::<f64>());
            }
            (best * (1.0 + 1e-6) + 1e-6) as f32
        });
        // Whole names: entries sharing the first given name and first
        // surname of their primary name (by phonetic code).
        let pair_key = |e: usize| {
            let rec = &slots[slot_off[e] as usize..slot_off[e + 1] as usize];
            let first = |field| rec.iter().find(|s| s.name == 0 && s.field == field);
            match (first(Field::Given), first(Field::Surname)) {
                (Some(g), Some(s)) => Some((tok_key[g.tok as usize], tok_key[s.tok as usize])),
                _ => None,
            }
        };
        let mut pair_count: HashMap<(u32, u32), u32> = HashMap::new();
        for e in 0..entries.len() {
            if let Some(k) = pair_key(e) {
                *pair_count.entry(k).or_default() += 1;
            }
        }
        let pair_df: Vec<u32> = (0..entries.len()).map(|e| pair_key(e).map_or(0, |k| pair_count[&k])).collect();
        drop(pair_count);
        let common_limit = (entries.len() / 256).max(4096);
        let mut key_bits = vec![NONE; nkeys];
        let mut bitsets = Vec::new();
        let words = entries.len().div_ceil(64);
        for (k, kb) in key_bits.iter_mut().enumerate() {
            let list = &post[post_off[k] as usize..post_off[k + 1] as usize];
            if list.len() > common_limit {
                let mut b = vec![0u64; words].into_boxed_slice();
                for &e in list {
                    b[e as usize / 64] |= 1 << (e % 64);
                }
                *kb = bitsets.len() as u32;
                bitsets.push(b);
            }
        }
        // Nationality frequencies.
        let mut nat_count: HashMap<CountryCode, usize> = HashMap::new();
        for e in &entries {
            for c in &e.nationalities {
                *nat_count.entry(*c).or_default() += 1;
            }
        }
        let nat_p = |c: usize| (0.9 / ((c as f64 + 1.0) / (n + 20.0))).ln().clamp(0.1, 3.0);
        let mut nats: Vec<(CountryCode, usize)> = nat_count.into_iter().collect();
        nats.sort_unstable();
        assert!(nats.len() < NAT_UNLISTED as usize, "more nationalities than country codes");
        let nat_id: HashMap<CountryCode, u16> = nats.iter().enumerate().map(|(i, &(c, _))| (c, i as u16)).collect();
        let nat_w: Vec<f64> = nats.iter().map(|&(_, c)| nat_p(c)).collect();
        // The most a nationality can add: agreeing on a listed one, or
        // disagreeing.
        let nat_max = nat_w.iter().fold(WEIGHTS[f::NAT_CLASH], |m, &w| m.max(WEIGHTS[f::NAT_AGREE] * w));
        let facts = orig
            .iter()
            .zip(name_ub)
            .map(|(&o, name_ub)| {
                let e = &entries[o as usize];
                let date0 = dates::pack(e.birth_dates.first());
                let exact = |d: &BirthDate| dates::unpack(dates::pack(Some(d))) == Some(*d);
                let mut flags = 0;
                if e.birth_dates.len() > 1 || !e.birth_dates.iter().all(exact) {
                    flags |= READ_DATES;
                }
                if e.nationalities.len() > 1 {
                    flags |= READ_NATS;
                }
                if !e.document_numbers.is_empty() {
                    flags |= HAS_DOCS;
                }
                let nat = e.nationalities.first().map_or(NAT_NONE, |c| nat_id[c]);
                Fact { name_ub, date0, nat, sex: e.sex, flags }
            })
            .collect();
        let mut doc_keys: Vec<(u64, u32)> = orig
            .iter()
            .enumerate()
            .flat_map(|(e, &o)| entries[o as usize].document_numbers.iter().map(move |d| (doc_hash(d), e as u32)))
            .collect();
        doc_keys.sort_unstable();
        doc_keys.dedup();
        Screener {
            doc_keys,
            ln_n: n.max(1.0).ln(),
            nat_max,
            orig,
            facts,
            date_keys,
            date_start,
            undated,
            year_first,
            first_year,
            entries,
            tok_map,
            tok_text,
            tok_text_off,
            tok_code,
            tok_code_off,
            tok_info,
            slot_off,
            slots,
            pair_df,
            key_map,
            post_skip: post.iter().step_by(SKIP).copied().collect(),
            post_off,
            post,
            key_info,
            code_df,
            key_bits,
            bitsets,
            nat_id,
            nat_w,
            common_limit,
        }
    }
}
