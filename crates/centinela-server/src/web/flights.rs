//! The air post's pages (issue 23): "Vuelos" — flights arriving or leaving
//! in the next 48 hours and the last 24, with their pre-arrival hits — and
//! a flight's manifest, each person with their hits, reasons and the
//! adjudication buttons. Supervisors of the air post; a country-wide
//! supervisor picks the post. Times are the carrier's, local to the
//! airport, which is the post's zone. The pages call
//! [`centinela_app::prearrival`], which checks post binding and audits.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use centinela_store::Verdict;
use serde::Deserialize;
use serde_json::json;

use super::{PageCtx, PageResult, dmy, field, form_pairs};
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct FlightsPage {
    /// The air post (country-wide supervisors).
    #[serde(default)]
    puesto: Option<String>,
    /// The hit just adjudicated.
    #[serde(default)]
    hecho: Option<String>,
}

/// `YYYY-MM-DDTHH:MM` (local) as `DD/MM/AAAA HH:MM`; a date alone as
/// `DD/MM/AAAA`.
fn local(s: &str) -> String {
    match s.split_once('T') {
        Some((d, t)) => format!("{} {}", dmy(d), t.get(..5).unwrap_or(t)),
        None => dmy(s),
    }
}

fn chosen(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty() && v.len() <= 64)
}

fn row(f: &centinela_app::prearrival::FlightRow) -> serde_json::Value {
    let at = if f.leg == "arrival" { f.arrives_at.as_deref() } else { f.departs_at.as_deref() };
    json!({
        "id": f.id, "number": f.number, "origin": f.origin, "destination": f.destination, "leg": f.leg,
        "at": local(at.unwrap_or(&f.departure_date)), "persons": f.persons, "bookings": f.bookings,
        "hits": f.hits, "open_hits": f.open_hits,
    })
}

/// The air post's flights.
pub async fn flights(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Query(q): axum::extract::Query<FlightsPage>,
) -> PageResult {
    let asked = chosen(&q.puesto);
    let air = app.app().air_posts().await.map_err(|e| ctx.api_error(e))?;
    let mine = user.post.as_deref().or(asked);
    let Some(code) = mine.filter(|c| air.iter().any(|p| p == c)) else {
        // Not an air post (or none chosen): the air posts to choose from.
        let choices: Vec<&String> = if user.post.is_none() { air.iter().collect() } else { Vec::new() };
        return Ok(ctx.render("flights.html", json!({ "choices": choices, "not_air": user.post.is_some() })));
    };
    let post = if user.post.is_some() { None } else { Some(code) };
    let list = app.app().post_flights(&user, post).await.map_err(|e| ctx.api_error(e))?;
    let rows: Vec<serde_json::Value> = list.flights.iter().map(row).collect();
    Ok(ctx.render(
        "flights.html",
        json!({ "post": list.post, "iata": list.iata, "flights": rows, "chosen": post, "zone": list.time_zone }),
    ))
}

/// A flight's manifest with each person's hits.
pub async fn flight(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::extract::Query(q): axum::extract::Query<FlightsPage>,
) -> PageResult {
    let Ok(id) = id.parse::<i64>() else {
        return Err(ctx.error(StatusCode::NOT_FOUND, "error.not_found", None));
    };
    let post = if user.post.is_some() { None } else { chosen(&q.puesto) };
    let v = app.app().flight_view(&user, post, id).await.map_err(|e| ctx.api_error(e))?;
    let persons: Vec<serde_json::Value> = v
        .persons
        .iter()
        .map(|p| {
            json!({
                "role": p.role, "surnames": p.surnames, "given_names": p.given_names,
                "birth_date": p.birth_date.as_deref().map(dmy), "nationality": p.nationality,
                "document_number": p.document_number, "booking": p.booking, "hits": p.hits,
                "open": p.hits.iter().filter(|h| h.decision.is_none()).count(),
            })
        })
        .collect();
    let flagged = persons.iter().filter(|p| p["hits"].as_array().is_some_and(|h| !h.is_empty())).count();
    Ok(ctx.render(
        "flight.html",
        json!({
            "post": v.post, "flight": row(&v.flight), "persons": persons, "flagged": flagged,
            "chosen": post, "done": q.hecho,
        }),
    ))
}

/// A supervisor confirms or dismisses a pre-arrival hit, with a reason,
/// and is taken back to the flight.
pub async fn adjudicate(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Path(id): axum::extract::Path<String>,
    body: Bytes,
) -> PageResult {
    let Ok(id) = id.parse::<i64>() else {
        return Err(ctx.error(StatusCode::NOT_FOUND, "error.not_found", None));
    };
    let pairs = form_pairs(&body);
    let Ok(decision) = serde_json::from_value::<Verdict>(json!(field(&pairs, "decision"))) else {
        return Err(ctx.error(StatusCode::UNPROCESSABLE_ENTITY, "error.invalid_field", None));
    };
    let flight: i64 = field(&pairs, "flight").parse().unwrap_or(0);
    let post = field(&pairs, "puesto");
    match app.app().adjudicate_prearrival(&user, id, decision, field(&pairs, "reason")).await.map_err(ApiError::from) {
        Ok(_) => {
            let mut to = format!("/vuelos/{flight}?hecho={id}");
            // A post's code is capitals, digits and dashes; anything else is dropped.
            if user.post.is_none()
                && !post.is_empty()
                && post.len() <= 64
                && post.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                to.push_str(&format!("&puesto={post}"));
            }
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) if e.code == crate::ErrorCode::InvalidField => {
            Err(ctx.error(StatusCode::UNPROCESSABLE_ENTITY, "adjudication.needs_reason", None))
        }
        Err(e) => Err(ctx.api_error(e)),
    }
}
