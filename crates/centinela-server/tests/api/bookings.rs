//! Bookings for the intelligence unit and the booth (issue 23): a
//! booking's links through shared payer and contact, search by locator,
//! unmasking a masked version with a reason (analysts only, audited with
//! the reason), and at an air post the arriving API record by document;
//! an entry inspected there is linked to it.

use centinela_domain::{CountryCode, Role};
use centinela_store::{NewPost, PostKind, Retention};
use reqwest::Method;
use serde_json::json as j;

use crate::helpers::{expect_error, json, spawn_apps};

/// Today's flight into GUA: a list naming one passenger and two PNRs
/// sharing a phone (written otherwise) and a card.
fn messages(day: &str, ddmmyy: &str) -> String {
    format!(
        "UNA:+.? '
UNB+UNOC:4+CM+GTMUIP+20261206:1405+80'
UNH+1+PAXLST:D:05B:UN:IATA'
BGM+745'
TDT+20+CM421+++CM'
LOC+125+PTY'
DTM+189:{day}0930:203'
LOC+87+GUA'
DTM+232:{day}1105:203'
NAD+FL+++OKAFOR:CHINEDU'
NAT+2+NGA'
RFF+AVF:AAA111'
DOC+P:110:111+A07712345'
LOC+91+NGA'
CNT+42:1'
UNT+13+1'
UNH+2+PNRGOV:11:1:IA'
MSG+:22'
TVL+{ddmmyy}:0930:{ddmmyy}:1105+PTY+GUA+CM+421'
SRC'
RCI+CM:AAA111::011126:2210'
IFT+4:28+CTCM ?+507 6000 0111'
FOP+CC:::VI:XXXXXXXXXXXX4242'
TIF+OKAFOR+CHINEDU:ADT:1'
SRC'
RCI+CM:BBB222::021126:0915'
IFT+4:28+CTCH 0050760000111'
FOP+CC:::VI:XXXXXXXXXXXX4242'
TIF+DIALLO+AMINATA:ADT:1'
SRC'
RCI+CM:CCC333::021126:0920'
IFT+4:28+CTCM 50255550000'
FOP+CA'
TIF+PEREZ+LUIS:ADT:1'
UNT+19+2'
UNZ+2+80'
"
    )
}

#[tokio::test]
async fn analysts_read_a_bookings_links_and_unmask_with_a_reason() {
    for app in spawn_apps().await {
        let p = NewPost {
            code: "GTM-GUA",
            name: "La Aurora",
            country: CountryCode::parse("GTM").unwrap(),
            facing: "",
            kind: PostKind::Air,
        };
        app.store.add_post("system", &p).await.unwrap();
        let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get("America/Guatemala").unwrap()).date();
        let (day, ddmmyy) = (today.strftime("%Y%m%d").to_string(), today.strftime("%d%m%y").to_string());
        let admin = app.user("pasarela", Role::Admin, None).await;
        let admin = app.token(&admin).await;
        let r = app
            .request(Method::POST, "/api/passengers/messages")
            .bearer_auth(&admin)
            .header("content-type", "application/edifact")
            .body(messages(&day, &ddmmyy))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let analyst = app.user("analista", Role::Analyst, None).await;
        let analyst = app.token(&analyst).await;
        let officer = app.user("oficial", Role::Officer, Some("GTM-GUA")).await;
        let officer = app.token(&officer).await;

        let (s, b) = json(app.get("/api/intel/bookings/CM/aaa111").bearer_auth(&analyst).send().await.unwrap()).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["versions"].as_array().unwrap().len(), 1);
        assert_eq!(b["versions"][0]["passengers"][0]["surnames"], "OKAFOR");
        let linked = b["linked"].as_array().unwrap();
        assert_eq!(linked.len(), 1, "{b}");
        assert_eq!((linked[0]["locator"].as_str(), &linked[0]["shared"]), (Some("BBB222"), &j!(["contact", "payer"])));
        let (s, found) =
            json(app.get("/api/intel/bookings?locator=BB").bearer_auth(&analyst).send().await.unwrap()).await;
        assert_eq!((s, found), (200, j!([{ "carrier": "CM", "locator": "BBB222" }])));
        expect_error(
            app.get("/api/intel/bookings/CM/ZZZ999").bearer_auth(&analyst).send().await.unwrap(),
            404,
            "not_found",
        )
        .await;
        expect_error(
            app.get("/api/intel/bookings/CM/AAA111").bearer_auth(&officer).send().await.unwrap(),
            403,
            "forbidden",
        )
        .await;

        // Masked after its period: the values are gone from the booking,
        // the links stay, and an analyst unmasks with a reason.
        let later = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 5;
        let zero = Retention { pnr_mask_days: 0, ..Retention::default() };
        assert_eq!(app.store.purge("system", &zero, later, false).await.unwrap().pnr_masked, 3);
        let (_, b) = json(app.get("/api/intel/bookings/CM/AAA111").bearer_auth(&analyst).send().await.unwrap()).await;
        assert_eq!(b["versions"][0]["passengers"][0]["surnames"], "");
        assert!(b["versions"][0]["masked_at"].is_string());
        assert_eq!(b["linked"].as_array().unwrap().len(), 1);
        let id = b["versions"][0]["id"].as_i64().unwrap();
        let unmask = |token: &str, reason: &str| {
            app.request(Method::POST, &format!("/api/intel/booking-versions/{id}/unmask"))
                .bearer_auth(token)
                .json(&j!({ "reason": reason }))
                .send()
        };
        expect_error(unmask(&analyst, "porque").await.unwrap(), 422, "invalid_field").await;
        expect_error(unmask(&officer, "Investigación 2026-114 de tráfico").await.unwrap(), 403, "forbidden").await;
        let (s, v) = json(unmask(&analyst, "Investigación 2026-114 de tráfico").await.unwrap()).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["values"]["passengers"][0]["surnames"], "OKAFOR");
        assert_eq!(v["values"]["payment_account"], "XXXXXXXXXXXX4242");
        let audit = app.audit().await;
        let (_, _, subject, detail) = audit.iter().find(|(_, a, _, _)| a == "pnr_unmasked").unwrap();
        assert_eq!(
            (subject.as_str(), detail["reason"].as_str()),
            (format!("booking_version:{id}").as_str(), Some("Investigación 2026-114 de tráfico"))
        );
        assert_eq!(audit.iter().filter(|(_, a, _, _)| a == "pnr_unmasked").count(), 1);

        // The booth at the air post finds the record by document.
        let path = "/api/posts/GTM-GUA/api-record?document_number=a07712345&issuing_state=NGA";
        let (s, rec) = json(app.get(path).bearer_auth(&officer).send().await.unwrap()).await;
        assert_eq!(s, 200, "{rec}");
        assert_eq!((rec["flight"].as_str(), rec["person"]["booking"].as_str()), (Some("CM421"), Some("AAA111")));
        assert_eq!(rec["person"]["surnames"], "OKAFOR");
        let other = "/api/posts/GTM-GUA/api-record?document_number=B000&issuing_state=NGA";
        let (s, none) = json(app.get(other).bearer_auth(&officer).send().await.unwrap()).await;
        assert_eq!((s, none), (200, serde_json::Value::Null), "a document no flight lists");
        expect_error(app.get(path).bearer_auth(&analyst).send().await.unwrap(), 403, "forbidden").await;
        assert_eq!(app.audit().await.iter().filter(|(_, a, _, _)| a == "api_record_viewed").count(), 1);

        // An entry inspected there is linked to the record.
        let r = app.client.post(app.url("/api/lists/reload")).bearer_auth(&admin).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let body = j!({ "post": "GTM-GUA", "direction": "entry", "travellers": [{
            "given_names": "CHINEDU", "surnames": "OKAFOR", "nationality": "NGA", "document_type": "P",
            "document_number": "A07712345", "issuing_state": "NGA", "birth_date": "1988-03-14" }] });
        let (s, ins) =
            json(app.request(Method::POST, "/api/inspections").bearer_auth(&officer).json(&body).send().await.unwrap())
                .await;
        assert_eq!(s, 201, "{ins}");
        let crossing = ins["travellers"][0]["crossing_id"].as_str().unwrap();
        assert!(app.store.crossing_api_person(crossing).await.unwrap().is_some());
        assert_eq!(app.audit().await.iter().filter(|(_, a, _, _)| a == "crossing_api_linked").count(), 1);
    }
}
