//! The polite HTTP client every connector fetches through: one request at
//! a time at most `rate_per_second`, retries with exponential backoff on a
//! connection fault, a timeout, 429 and 5xx (honouring `Retry-After` up to
//! a minute), conditional requests (`If-None-Match` / `If-Modified-Since`
//! from the validators of the last pull), a timeout per request, response
//! bodies cut at `max_bytes` (an error, never a silent truncation), and
//! links followed only on the source's own host.

use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{StatusCode, Url};
use tokio::sync::Mutex;

use super::ConnectorError;

/// The bounds and manners of a connector's requests.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The largest response body read (bytes).
    pub max_bytes: usize,
    /// The most records (notices, entities, rows) one pull may bring.
    pub max_records: usize,
    /// The most listing pages one pull may walk.
    pub max_pages: usize,
    /// Requests per second at most (0: no limit, for local sources).
    pub rate_per_second: f64,
    /// Attempts after the first, for faults worth retrying.
    pub retries: u32,
    /// The first retry's wait; each next one doubles it.
    pub backoff: Duration,
    /// One request's whole time (connection, headers, body).
    pub timeout: Duration,
    /// The largest thumbnail read (bytes); a larger one is refused while
    /// it is read.
    pub max_image_bytes: usize,
    /// The thumbnails' bytes one pull may hold in memory; the rest wait for
    /// the next pull.
    pub max_image_bytes_per_pull: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 256 << 20,
            max_records: 200_000,
            max_pages: 2_000,
            rate_per_second: 10.0,
            retries: 3,
            backoff: Duration::from_secs(2),
            timeout: Duration::from_secs(60),
            max_image_bytes: centinela_store::MAX_LIST_IMAGE_BYTES,
            max_image_bytes_per_pull: 64 << 20,
        }
    }
}

/// The validators of a response, for the next conditional request.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Validators {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// What a GET brought.
#[derive(Debug)]
pub enum Fetched {
    /// 304: unchanged since the validators sent.
    NotModified,
    Body {
        bytes: Vec<u8>,
        validators: Validators,
    },
}

/// One connector run's client (its rate limit is the run's).
pub struct Http {
    client: reqwest::Client,
    limits: Limits,
    /// The only host links are followed to.
    host: Option<(String, Option<u16>)>,
    authorization: Option<HeaderValue>,
    last: Mutex<Option<Instant>>,
    /// Requests made (retries included).
    pub(crate) requests: std::sync::atomic::AtomicU64,
}

impl Http {
    /// A client for the source at `base` (its host bounds the links
    /// followed), sending `authorization` when given.
    pub fn new(base: &Url, limits: Limits, authorization: Option<String>) -> Result<Http, ConnectorError> {
        let client = reqwest::Client::builder()
            .timeout(limits.timeout)
            .connect_timeout(limits.timeout.min(Duration::from_secs(15)))
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!("Centinela/", env!("CARGO_PKG_VERSION"), " (border alert-list connector)"))
            .build()
            .map_err(|e| ConnectorError::Config(format!("cannot build the HTTP client: {e}")))?;
        let authorization = match authorization {
            Some(a) => {
                let mut v = HeaderValue::from_str(&a)
                    .map_err(|_| ConnectorError::Config("credential: not a valid header value".into()))?;
                v.set_sensitive(true);
                Some(v)
            }
            None => None,
        };
        let host = base.host_str().map(|h| (h.to_ascii_lowercase(), base.port_or_known_default()));
        Ok(Http { client, limits, host, authorization, last: Mutex::new(None), requests: Default::default() })
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// `href` resolved against `base`, refused when it leaves the source's
    /// host (a feed must not send the connector elsewhere).
    pub fn resolve(&self, base: &Url, href: &str) -> Result<Url, ConnectorError> {
        let url = base.join(href).map_err(|_| ConnectorError::Source("a link that is no URL".into()))?;
        let host = url.host_str().map(|h| (h.to_ascii_lowercase(), url.port_or_known_default()));
        if host != self.host || !matches!(url.scheme(), "http" | "https") {
            return Err(ConnectorError::Source("a link to another host; not followed".into()));
        }
        Ok(url)
    }

    async fn pace(&self) {
        if self.limits.rate_per_second <= 0.0 {
            return;
        }
        let gap = Duration::from_secs_f64(1.0 / self.limits.rate_per_second);
        let mut last = self.last.lock().await;
        if let Some(t) = *last {
            let since = t.elapsed();
            if since < gap {
                tokio::time::sleep(gap - since).await;
            }
        }
        *last = Some(Instant::now());
    }

    /// GET `url`, conditionally when `validators` hold any; retried on
    /// faults worth retrying. The error names the URL's path and the
    /// status, never a body.
    pub async fn get(&self, url: &Url, validators: Option<&Validators>) -> Result<Fetched, ConnectorError> {
        self.get_bounded(url, validators, self.limits.max_bytes).await
    }

    /// [`Http::get`] with a body bound of its own (`max_bytes`, at most the
    /// limits'): a larger body is refused while it is read, never buffered.
    pub async fn get_bounded(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        max_bytes: usize,
    ) -> Result<Fetched, ConnectorError> {
        let max_bytes = max_bytes.min(self.limits.max_bytes);
        let mut attempt = 0u32;
        loop {
            self.pace().await;
            self.requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut headers = HeaderMap::new();
            if let Some(v) = validators {
                if let Some(e) = v.etag.as_deref().and_then(|e| HeaderValue::from_str(e).ok()) {
                    headers.insert(header::IF_NONE_MATCH, e);
                }
                if let Some(m) = v.last_modified.as_deref().and_then(|m| HeaderValue::from_str(m).ok()) {
                    headers.insert(header::IF_MODIFIED_SINCE, m);
                }
            }
            if let Some(a) = &self.authorization {
                headers.insert(header::AUTHORIZATION, a.clone());
            }
            let retry_wait = |attempt: u32| self.limits.backoff.saturating_mul(1 << attempt.min(10));
            let resp = match self.client.get(url.clone()).headers(headers).send().await {
                Ok(r) => r,
                Err(e) if attempt < self.limits.retries => {
                    tracing::warn!(path = url.path(), attempt, error = %without_url(&e), "connector request failed; retrying");
                    tokio::time::sleep(retry_wait(attempt)).await;
                    attempt += 1;
                    continue;
                }
                Err(e) => return Err(ConnectorError::Fetch(format!("{}: {}", url.path(), without_url(&e)))),
            };
            let status = resp.status();
            if status == StatusCode::NOT_MODIFIED {
                return Ok(Fetched::NotModified);
            }
            if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                if attempt < self.limits.retries {
                    let asked = resp
                        .headers()
                        .get(header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(|s| Duration::from_secs(s.min(60)));
                    tracing::warn!(
                        path = url.path(),
                        attempt,
                        status = status.as_u16(),
                        "connector source answered an error; retrying"
                    );
                    tokio::time::sleep(asked.unwrap_or_else(|| retry_wait(attempt))).await;
                    attempt += 1;
                    continue;
                }
                return Err(ConnectorError::Fetch(format!("{}: HTTP {}", url.path(), status.as_u16())));
            }
            if !status.is_success() {
                return Err(ConnectorError::Status { path: url.path().to_string(), status: status.as_u16() });
            }
            let text = |n: header::HeaderName| {
                resp.headers().get(n).and_then(|v| v.to_str().ok()).filter(|v| v.len() <= 512).map(String::from)
            };
            let validators = Validators { etag: text(header::ETAG), last_modified: text(header::LAST_MODIFIED) };
            if resp.content_length().is_some_and(|n| n > max_bytes as u64) {
                return Err(ConnectorError::Limit(format!("{}: larger than {max_bytes} bytes", url.path())));
            }
            let bytes = read_bounded(resp, url, max_bytes).await?;
            return Ok(Fetched::Body { bytes, validators });
        }
    }
}

/// The body, refused (an error, never a silent truncation) as soon as it
/// passes `max_bytes`.
async fn read_bounded(mut resp: reqwest::Response, url: &Url, max_bytes: usize) -> Result<Vec<u8>, ConnectorError> {
    let mut out = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => {
                if out.len() + c.len() > max_bytes {
                    return Err(ConnectorError::Limit(format!("{}: larger than {max_bytes} bytes", url.path())));
                }
                out.extend_from_slice(&c);
            }
            Ok(None) => return Ok(out),
            Err(e) => return Err(ConnectorError::Fetch(format!("{}: {}", url.path(), without_url(&e)))),
        }
    }
}

/// A reqwest error's text without its URL (which may carry a query).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "the answer was cut short"
    } else if e.is_redirect() {
        "too many redirects"
    } else {
        "request failed"
    };
    kind.to_string()
}
