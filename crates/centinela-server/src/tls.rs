//! HTTPS: the server's certificate and key read from PEM files
//! ([`TlsConfig`]), and [`TlsListener`], which completes TLS handshakes
//! beside the accept loop so that a slow or silent client never holds up the
//! others.
//!
//! rustls with the aws-lc-rs provider (the one reqwest's rustls feature
//! brings for the synchronisation client: one provider in the binary); TLS
//! 1.2 and 1.3, HTTP/1.1.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// The longest a client may take to complete its TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Handshakes under way at once; further connections wait in the kernel's
/// backlog until one ends.
pub const MAX_HANDSHAKES: usize = 256;

/// Why the certificate or key cannot be used. Each names the file; none
/// quotes the key's content.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the TLS {what} {}: {source}", path.display())]
    Read { what: &'static str, path: PathBuf, source: io::Error },
    #[error("the TLS certificate file {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)", .0.display())]
    NoCertificate(PathBuf),
    #[error("the TLS certificate file {} is not valid PEM: {reason}", path.display())]
    BadCertificate { path: PathBuf, reason: String },
    #[error(
        "the TLS key file {} holds no PEM private key (-----BEGIN PRIVATE KEY-----, RSA or EC PRIVATE KEY)",
        .0.display()
    )]
    NoKey(PathBuf),
    #[error("the TLS key file {} is not valid PEM", .0.display())]
    BadKey(PathBuf),
    #[error("the TLS certificate {} and key {} cannot be used together: {reason}", cert.display(), key.display())]
    Unusable { cert: PathBuf, key: PathBuf, reason: String },
}

/// The server's side of TLS: its certificate chain and private key.
#[derive(Clone)]
pub struct TlsConfig {
    server: Arc<rustls::ServerConfig>,
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TlsConfig { .. }")
    }
}

impl TlsConfig {
    /// Reads the certificate chain (the server's certificate first, then
    /// any intermediates) and the private key (PKCS#8, PKCS#1 or SEC1) from
    /// PEM files, and checks that the key is the certificate's.
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<TlsConfig, TlsError> {
        let read = |what, path: &Path| {
            std::fs::read(path).map_err(|source| TlsError::Read { what, path: path.to_path_buf(), source })
        };
        let cert_pem = read("certificate", cert)?;
        let key_pem = read("key", key)?;
        let chain = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TlsError::BadCertificate { path: cert.to_path_buf(), reason: pem_reason(&e) })?;
        if chain.is_empty() {
            return Err(TlsError::NoCertificate(cert.to_path_buf()));
        }
        let private = match PrivateKeyDer::from_pem_slice(&key_pem) {
            Ok(k) => k,
            Err(pem::Error::NoItemsFound) => return Err(TlsError::NoKey(key.to_path_buf())),
            // The parser's detail may quote a line of the key file: not shown.
            Err(_) => return Err(TlsError::BadKey(key.to_path_buf())),
        };
        TlsConfig::new(chain, private).map_err(|e| TlsError::Unusable {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
            reason: e.to_string(),
        })
    }

    /// From a certificate chain and its key already in memory.
    pub fn new(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> Result<TlsConfig, rustls::Error> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, key)?;
        server.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsConfig { server: Arc::new(server) })
    }
}

/// What went wrong in a certificate file, without quoting it.
fn pem_reason(e: &pem::Error) -> String {
    match e {
        pem::Error::MissingSectionEnd { .. } => "a section has no END line".into(),
        pem::Error::IllegalSectionStart { .. } => "a BEGIN line is malformed".into(),
        pem::Error::Base64Decode(_) => "a section is not valid base64".into(),
        pem::Error::SectionTooLarge => "a section is too large".into(),
        other => other.to_string(),
    }
}

/// A TCP listener whose connections come out as completed TLS sessions.
/// Handshakes run as tasks of their own, each bounded by
/// [`HANDSHAKE_TIMEOUT`], at most [`MAX_HANDSHAKES`] at once; a failed one
/// is dropped (logged at debug level: port scanners and clients that do not
/// trust the certificate are not news).
pub struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    handshakes: JoinSet<Option<(TlsStream<TcpStream>, SocketAddr)>>,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, tls: &TlsConfig) -> TlsListener {
        TlsListener { tcp, acceptor: TlsAcceptor::from(tls.server.clone()), handshakes: JoinSet::new() }
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            tokio::select! {
                accepted = self.tcp.accept(), if self.handshakes.len() < MAX_HANDSHAKES => match accepted {
                    Ok((stream, peer)) => {
                        let acceptor = self.acceptor.clone();
                        self.handshakes.spawn(async move {
                            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                                Ok(Ok(tls)) => Some((tls, peer)),
                                Ok(Err(e)) => {
                                    tracing::debug!(error = %e, "TLS handshake failed");
                                    None
                                }
                                Err(_) => {
                                    tracing::debug!("TLS handshake timed out");
                                    None
                                }
                            }
                        });
                    }
                    Err(e) => accept_error(e).await,
                },
                Some(done) = self.handshakes.join_next() => {
                    if let Ok(Some(conn)) = done {
                        return conn;
                    }
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// As axum's own TCP listener does: a connection that failed before it was
/// accepted is no matter; anything else (out of file descriptors …) is
/// logged, and accepting waits a second.
async fn accept_error(e: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(e.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset) {
        return;
    }
    tracing::error!(error = %e, "cannot accept a connection");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
