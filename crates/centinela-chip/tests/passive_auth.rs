//! Passive Authentication over the test PKI: every algorithm verifies, and
//! every failure path has its own named outcome.

use std::sync::OnceLock;

use centinela_chip::pa::AlteredReason;
use centinela_chip::testpki::{self, Alg, CertSpec, DAY, Key, Passport};
use centinela_chip::{Cert, ChipFiles, Crl, Outcome, PageCheck, SignatureFailure, TrustFailure, TrustStore, verify};

const NOW: u64 = 1_780_000_000; // 2026-05-28

fn passport(alg: Alg) -> &'static Passport {
    static CELLS: [OnceLock<Passport>; 5] = [const { OnceLock::new() }; 5];
    let i = Alg::ALL.iter().position(|a| *a == alg).unwrap();
    CELLS[i].get_or_init(|| Passport::issue(alg, NOW))
}

#[test]
fn every_algorithm_verifies() {
    for alg in Alg::ALL {
        let p = passport(alg);
        let v = verify(&p.files(), &p.trust(), Some(&p.mrz), NOW);
        assert_eq!(v.outcome, Outcome::Verified, "{alg:?}: {}", v.message_en);
        assert_eq!(v.page, PageCheck::Match);
        assert_eq!(v.data_groups.len(), 2);
        assert!(v.data_groups.iter().all(|g| g.status == "match"));
        assert_eq!(v.sod_groups, vec![1, 2]);
        assert_eq!(v.faces.len(), 1);
        assert!(v.csca.is_some() && v.document_signer.is_some());
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["outcome"], "verified");
    }
    let v = verify(&passport(Alg::BrainpoolP256).files(), &passport(Alg::BrainpoolP256).trust(), None, NOW);
    assert_eq!(v.csca.unwrap().key, "ECDSA brainpoolP256r1");
    let v = verify(&passport(Alg::RsaPss).files(), &passport(Alg::RsaPss).trust(), None, NOW);
    assert_eq!(v.signature_algorithm.as_deref(), Some("RSASSA-PSS SHA-256"));
}

#[test]
fn not_presented_without_sod_or_dg1() {
    let p = passport(Alg::P256);
    let t = p.trust();
    let none = ChipFiles::default();
    assert_eq!(verify(&none, &t, None, NOW).outcome, Outcome::NotPresented);
    let only_dg1 = ChipFiles { dg1: Some(&p.dg1), ..Default::default() };
    assert_eq!(verify(&only_dg1, &t, None, NOW).outcome, Outcome::NotPresented);
}

#[test]
fn a_changed_byte_in_a_data_group_is_named() {
    let p = passport(Alg::P256);
    let mut dg2 = p.dg2.clone();
    let last = dg2.len() - 3;
    dg2[last] ^= 0x01;
    let files = ChipFiles { dg2: Some(&dg2), ..p.files() };
    let v = verify(&files, &p.trust(), None, NOW);
    assert_eq!(v.outcome, Outcome::ChipDataAltered { group: 2, reason: AlteredReason::HashMismatch });
    // DG1 changed consistently (still a valid MRZ) is caught by its hash too.
    let other = testpki::TEST_MRZ.replace("ANNA", "ANNE");
    let dg1 = centinela_chip::lds::encode_dg1(&other);
    let files = ChipFiles { dg1: Some(&dg1), ..p.files() };
    let v = verify(&files, &p.trust(), None, NOW);
    assert!(matches!(v.outcome, Outcome::ChipDataAltered { group: 1, .. }));
    assert!(v.message_es.contains("DG1"));
}

#[test]
fn a_group_missing_from_the_sod_is_named() {
    let p = passport(Alg::P256);
    let lso = testpki::lds_security_object(p.ds_key.hash(), &[(1, &p.dg1)]);
    let sod = testpki::sod(&lso, &p.ds, &p.ds_key, Some(p.signing_time));
    let files = ChipFiles { sod: Some(&sod), ..p.files() };
    let v = verify(&files, &p.trust(), None, NOW);
    assert_eq!(v.outcome, Outcome::ChipDataAltered { group: 2, reason: AlteredReason::NotInSod });
}

#[test]
fn a_wrong_signature_is_named() {
    for alg in [Alg::RsaPkcs1, Alg::P256, Alg::BrainpoolP256] {
        let p = passport(alg);
        // Signed by another key than the DS certificate's.
        let other = Key::generate(alg, b"forger");
        let lso = testpki::lds_security_object(p.ds_key.hash(), &[(1, &p.dg1), (2, &p.dg2)]);
        let sod = testpki::sod(&lso, &p.ds, &other, Some(p.signing_time));
        let files = ChipFiles { sod: Some(&sod), ..p.files() };
        let v = verify(&files, &p.trust(), None, NOW);
        assert_eq!(v.outcome, Outcome::SignatureInvalid { reason: SignatureFailure::Mismatch }, "{alg:?}");
        // One flipped bit of the signature itself.
        let mut sod = p.sod.clone();
        let n = sod.len();
        sod[n - 5] ^= 0x10;
        let files = ChipFiles { sod: Some(&sod), ..p.files() };
        let v = verify(&files, &p.trust(), None, NOW);
        assert!(
            matches!(v.outcome, Outcome::SignatureInvalid { .. } | Outcome::Malformed { .. }),
            "{alg:?}: {:?}",
            v.outcome
        );
    }
}

#[test]
fn an_unknown_csca_is_named() {
    let p = passport(Alg::P256);
    let v = verify(&p.files(), &TrustStore::new(), None, NOW);
    assert_eq!(v.outcome, Outcome::DsNotTrusted { reason: TrustFailure::UnknownCsca });
    // A CSCA of the same name with another key: named, but it did not sign.
    let other_key = Key::generate(Alg::P256, b"other csca");
    let spec =
        CertSpec { subject: p.csca_name.clone(), serial: 9, not_before: NOW - 1000 * DAY, not_after: NOW + 1000 * DAY };
    let impostor = testpki::certificate(&spec, &other_key, &p.csca_name, &other_key);
    let mut t = TrustStore::new();
    t.add_csca(Cert::from_der(&impostor, "CSCA").unwrap());
    let v = verify(&p.files(), &t, None, NOW);
    assert_eq!(v.outcome, Outcome::DsNotTrusted { reason: TrustFailure::DsSignatureInvalid });
}

fn reissued_ds(p: &Passport, not_before: u64, not_after: u64) -> Vec<u8> {
    let ds = testpki::certificate(
        &CertSpec { subject: "CN=DS Utopia 2,O=Utopia,C=UT".into(), serial: 77, not_before, not_after },
        &p.ds_key,
        &p.csca_name,
        &p.csca_key,
    );
    let lso = testpki::lds_security_object(p.ds_key.hash(), &[(1, &p.dg1), (2, &p.dg2)]);
    testpki::sod(&lso, &ds, &p.ds_key, Some(p.signing_time))
}

#[test]
fn an_expired_or_not_yet_valid_ds_is_named() {
    let p = passport(Alg::P256);
    let expired = reissued_ds(p, NOW - 400 * DAY, p.signing_time - DAY);
    let files = ChipFiles { sod: Some(&expired), ..p.files() };
    assert_eq!(
        verify(&files, &p.trust(), None, NOW).outcome,
        Outcome::DsNotTrusted { reason: TrustFailure::DsExpired }
    );
    let early = reissued_ds(p, p.signing_time + DAY, NOW + 400 * DAY);
    let files = ChipFiles { sod: Some(&early), ..p.files() };
    assert_eq!(
        verify(&files, &p.trust(), None, NOW).outcome,
        Outcome::DsNotTrusted { reason: TrustFailure::DsNotYetValid }
    );
    // A DS that expired after signing is still good: validity is at signing.
    let later = reissued_ds(p, p.signing_time - DAY, p.signing_time + DAY);
    let files = ChipFiles { sod: Some(&later), ..p.files() };
    assert_eq!(verify(&files, &p.trust(), None, NOW).outcome, Outcome::Verified);
}

#[test]
fn a_revoked_ds_is_named_and_a_stale_crl_counted() {
    let p = passport(Alg::RsaPkcs1);
    let mut t = p.trust();
    let list = testpki::crl(&p.csca_name, &p.csca_key, NOW - 10 * DAY, NOW + 20 * DAY, &[1, 2]);
    t.add_crl(Crl::from_der(&list, "CRL").unwrap());
    assert_eq!(verify(&p.files(), &t, None, NOW).outcome, Outcome::Verified);
    let list = testpki::crl(&p.csca_name, &p.csca_key, NOW - 10 * DAY, NOW - DAY, &[p.ds_serial]);
    t.add_crl(Crl::from_der(&list, "CRL").unwrap());
    let v = verify(&p.files(), &t, None, NOW);
    assert_eq!(v.outcome, Outcome::DsNotTrusted { reason: TrustFailure::Revoked });
    assert_eq!(t.stale_crls(NOW).len(), 1);
    // A CRL naming the DS but signed by someone else does not count.
    let q = passport(Alg::RsaPkcs1);
    let mut t = q.trust();
    let forger = Key::generate(Alg::P256, b"crl forger");
    let fake = testpki::crl(&q.csca_name, &forger, NOW - DAY, NOW + DAY, &[q.ds_serial]);
    t.add_crl(Crl::from_der(&fake, "CRL").unwrap());
    assert_eq!(verify(&q.files(), &t, None, NOW).outcome, Outcome::Verified);
}

#[test]
fn a_page_that_differs_from_dg1_is_named_with_its_fields() {
    let p = passport(Alg::P256);
    let page = "P<UTOERIKSSON<<ANNE<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
    let v = verify(&p.files(), &p.trust(), Some(page), NOW);
    assert_eq!(v.outcome, Outcome::ChipPageMismatch { fields: vec!["given_names".into()] });
    assert!(v.message_en.contains("given_names"));
    let v = verify(&p.files(), &p.trust(), Some("not an mrz"), NOW);
    assert!(matches!(v.outcome, Outcome::ChipPageMismatch { .. }));
    // Whitespace around the page's lines is not a difference.
    let padded = format!("  {}  \n", p.mrz.replace('\n', "\n  "));
    let v = verify(&p.files(), &p.trust(), Some(&padded), NOW);
    assert_eq!(v.outcome, Outcome::Verified);
}

#[test]
fn truncated_and_malformed_der_is_named_not_panicked() {
    let p = passport(Alg::P256);
    for cut in [0, 1, 2, 10, p.sod.len() / 2, p.sod.len() - 1] {
        let sod = &p.sod[..cut];
        let files = ChipFiles { sod: Some(sod), ..p.files() };
        let v = verify(&files, &p.trust(), None, NOW);
        assert!(
            matches!(&v.outcome, Outcome::Malformed { file, .. } if file == "EF.SOD"),
            "cut {cut}: {:?}",
            v.outcome
        );
    }
    for cut in [0, 3, p.dg1.len() - 1] {
        let files = ChipFiles { dg1: Some(&p.dg1[..cut]), ..p.files() };
        let v = verify(&files, &p.trust(), None, NOW);
        assert!(matches!(&v.outcome, Outcome::Malformed { file, .. } if file == "DG1"));
    }
    let files = ChipFiles { dg2: Some(&p.dg2[..p.dg2.len() - 1]), ..p.files() };
    assert!(matches!(verify(&files, &p.trust(), None, NOW).outcome, Outcome::Malformed { .. }));
    // Well-formed TLV around garbage DER.
    let junk = centinela_chip::tlv_encode(0x77, &[0x30, 0x03, 0x02, 0x01, 0x00]);
    let files = ChipFiles { sod: Some(&junk), ..p.files() };
    assert!(matches!(verify(&files, &p.trust(), None, NOW).outcome, Outcome::Malformed { .. }));
}

#[test]
fn master_list_import_and_its_signature() {
    let p = passport(Alg::P256);
    let q = passport(Alg::BrainpoolP256);
    // The Master List signer is issued by the publishing state's CSCA (P's).
    let signer_key = Key::generate(Alg::P256, b"ml signer");
    let signer = testpki::certificate(
        &CertSpec {
            subject: "CN=Master List Signer,O=Utopia,C=UT".into(),
            serial: 500,
            not_before: NOW - DAY,
            not_after: NOW + DAY,
        },
        &signer_key,
        &p.csca_name,
        &p.csca_key,
    );
    let ml = testpki::master_list(&[&p.csca, &q.csca], &signer, &signer_key);
    let parsed = centinela_chip::MasterList::parse(&ml).unwrap();
    assert_eq!(parsed.cscas.len(), 2);
    assert_eq!(parsed.signature, Ok(()));
    assert!(parsed.signer_issued_by_listed_csca);
    let mut t = TrustStore::new();
    t.add(centinela_chip::parse_trust_file(&ml).unwrap());
    assert_eq!(t.cscas().len(), 2);
    assert_eq!(verify(&p.files(), &t, None, NOW).outcome, Outcome::Verified);
    assert_eq!(verify(&q.files(), &t, None, NOW).outcome, Outcome::Verified);
    // Signed by a key other than the signer certificate's.
    let forged = testpki::master_list(&[&p.csca], &signer, &Key::generate(Alg::P256, b"x"));
    let parsed = centinela_chip::MasterList::parse(&forged).unwrap();
    assert_eq!(parsed.signature, Err(SignatureFailure::Mismatch));
    // A single CSCA and a CRL are told apart from a Master List.
    assert!(matches!(centinela_chip::parse_trust_file(&p.csca).unwrap(), centinela_chip::TrustFile::Csca(_)));
    let list = testpki::crl(&p.csca_name, &p.csca_key, NOW, NOW + DAY, &[]);
    assert!(matches!(centinela_chip::parse_trust_file(&list).unwrap(), centinela_chip::TrustFile::Crl(_)));
    assert!(centinela_chip::parse_trust_file(b"junk").is_err());
    for cut in [1, ml.len() / 3, ml.len() - 1] {
        assert!(centinela_chip::MasterList::parse(&ml[..cut]).is_err());
    }
}
