//! `agenda serve`: the gRPC service (`agenda.v1`, see `proto/agenda/v1/agenda.proto`)
//! over `agenda-solver`.
//!
//! Chairs' tools submit session requests; the secretariat's tools import meetings, lock
//! the tool, run solves (progress streamed) and fetch agendas, reports and exports. State
//! lives in one SQLite file ([`store`]); the request lifecycle is in [`intake`]; the
//! messages of the outbox in [`notify`]; tokens and roles in [`auth`]. [`server`] holds
//! the thin tonic layer and [`serve`] puts it on a socket with health checking,
//! reflection, size limits and graceful shutdown.

#![warn(missing_docs)]

pub mod agendas;
pub mod auth;
pub mod convert;
pub mod error;
pub mod intake;
pub mod interims;
pub mod mail;
pub mod notify;
pub mod server;
pub mod store;

/// The generated `agenda.v1` messages, clients and servers.
#[allow(clippy::all, missing_docs)]
pub mod pb {
    tonic::include_proto!("agenda.v1");
    /// The encoded descriptor set served by reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("agenda_descriptor");
}

pub use auth::{AccessConfig, Caller, Role};
pub use error::ServiceError;
pub use server::AgendaService;

mod limited;
mod schema;
pub use store::Store;

use std::future::Future;
use tokio::net::TcpListener;
use tonic::transport::{Identity, Server, ServerTlsConfig};

/// Largest request accepted (an IETF-sized instance is about 30 KiB; 4x about 300 KiB).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// How often an idle connection is pinged (HTTP/2) and probed (TCP keepalive).
pub const KEEPALIVE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);
/// A ping unanswered this long closes the connection.
pub const KEEPALIVE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Calls in flight at once on one connection.
pub const MAX_STREAMS_PER_CONNECTION: u32 = 64;
/// Connections open at once by default ([`ServeOptions::max_connections`]): well
/// below a default open-files limit (1,024), so health checks still get through.
pub const MAX_CONNECTIONS: usize = 512;
/// A connection older than this is asked to go away (HTTP/2 GOAWAY; clients reconnect
/// by themselves), which ends idle connections that answer pings; calls still running
/// get [`MAX_CONNECTION_AGE_GRACE`] more. A `Notifications.Watch` stream is resumed
/// with the last `after_id` it received.
pub const MAX_CONNECTION_AGE: std::time::Duration = std::time::Duration::from_secs(30 * 60);
/// How long a connection past [`MAX_CONNECTION_AGE`] may finish its calls.
pub const MAX_CONNECTION_AGE_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// How to serve.
pub struct ServeOptions {
    /// PEM certificate chain and key; `None` serves plain HTTP/2 (loopback, behind a proxy).
    pub tls: Option<(Vec<u8>, Vec<u8>)>,
    /// Server-side ceiling on a unary call (clients' `grpc-timeout` is honoured too).
    pub request_timeout: std::time::Duration,
    /// Connections open at once; one more is closed as soon as it is accepted (and
    /// logged).
    pub max_connections: usize,
    /// Once shutdown begins, how long in-flight calls and streams may take: then the
    /// server stops, whatever its clients do.
    pub shutdown_deadline: std::time::Duration,
    /// SMTP delivery of the outbox ([`mail`]); None: off.
    pub mail: Option<mail::MailConfig>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            tls: None,
            request_timeout: std::time::Duration::from_secs(3600),
            max_connections: MAX_CONNECTIONS,
            shutdown_deadline: std::time::Duration::from_secs(10),
            mail: None,
        }
    }
}

/// gRPC's status conventions for what tonic decides before a handler runs: a message
/// over the size limit is RESOURCE_EXHAUSTED (tonic says OUT_OF_RANGE), and a message
/// that is not valid protobuf is INVALID_ARGUMENT (tonic says INTERNAL, which tells
/// clients the server failed and invites retries of a request that cannot succeed).
fn conventional_status<B>(
    mut response: tonic::codegen::http::Response<B>,
) -> tonic::codegen::http::Response<B> {
    let headers = response.headers_mut();
    let message = headers
        .get("grpc-message")
        .and_then(|m| m.to_str().ok())
        .unwrap_or("");
    let code = match headers.get("grpc-status").and_then(|c| c.to_str().ok()) {
        Some("11") if message.contains("message%20length%20too%20large") => Some("8"),
        Some("13") if message.starts_with("failed%20to%20decode%20Protobuf") => Some("3"),
        _ => None,
    };
    if let Some(code) = code {
        headers.insert(
            "grpc-status",
            tonic::codegen::http::HeaderValue::from_static(code),
        );
    }
    response
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The listener or TLS failed.
    #[error("transport: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// The reflection service could not be built.
    #[error("server reflection: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
}

/// Serves `service` on `listener` until `shutdown` completes; then a running solve is
/// cancelled (it returns its best agenda) and in-flight calls finish.
pub async fn serve(
    listener: TcpListener,
    service: AgendaService,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ServeError> {
    use pb::{
        meetings_server::MeetingsServer, notifications_server::NotificationsServer,
        scheduling_server::SchedulingServer, session_requests_server::SessionRequestsServer,
    };
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<MeetingsServer<AgendaService>>().await;
    health
        .set_serving::<SessionRequestsServer<AgendaService>>()
        .await;
    health
        .set_serving::<NotificationsServer<AgendaService>>()
        .await;
    health
        .set_serving::<SchedulingServer<AgendaService>>()
        .await;
    // Both reflection versions: grpcio's client, older grpcurl and several GUIs speak
    // only v1alpha.
    let reflection_builder = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection = reflection_builder().build_v1()?;
    let reflection_v1alpha = reflection_builder().build_v1alpha()?;
    // Idle or dead peers do not hold connections forever: HTTP/2 pings find dead ones,
    // TCP keepalive the half-open ones, and a client gets at most
    // MAX_STREAMS_PER_CONNECTION calls at once.
    let mut builder = Server::builder()
        .layer(tower::util::MapResponseLayer::new(conventional_status))
        .timeout(options.request_timeout)
        .http2_keepalive_interval(Some(KEEPALIVE_INTERVAL))
        .http2_keepalive_timeout(Some(KEEPALIVE_TIMEOUT))
        .tcp_keepalive(Some(KEEPALIVE_INTERVAL))
        .max_concurrent_streams(Some(MAX_STREAMS_PER_CONNECTION))
        .max_connection_age(MAX_CONNECTION_AGE)
        .max_connection_age_grace(MAX_CONNECTION_AGE_GRACE);
    let secure = options.tls.is_some();
    if let Some((cert, key)) = options.tls {
        builder =
            builder.tls_config(ServerTlsConfig::new().identity(Identity::from_pem(cert, key)))?;
    }
    let addr = listener.local_addr().ok();
    let incoming = limited::incoming(listener, options.max_connections);
    if let Some(config) = options.mail {
        service.start_mail(config);
    }
    let stopping = service.clone();
    let (began, shutdown_began) = tokio::sync::oneshot::channel::<()>();
    let shutdown = async move {
        shutdown.await;
        tracing::info!("shutting down: cancelling any running solve, finishing in-flight calls");
        health
            .set_not_serving::<SchedulingServer<AgendaService>>()
            .await;
        stopping.begin_shutdown();
        let _ = began.send(());
    };
    let deadline = options.shutdown_deadline;
    // Open connections (a Watch, an idle client) would hold a graceful shutdown forever.
    let deadline_passed = async move {
        match shutdown_began.await {
            Ok(()) => tokio::time::sleep(deadline).await,
            Err(_) => std::future::pending().await,
        }
    };
    // Only now, with TLS configured (a bad key fails above), does the server serve.
    tracing::info!(addr = ?addr, tls = secure, "agenda.v1 serving");
    let served = builder
        .add_service(health_service)
        .add_service(reflection)
        .add_service(reflection_v1alpha)
        .add_service(
            MeetingsServer::new(service.clone()).max_decoding_message_size(MAX_MESSAGE_BYTES),
        )
        .add_service(
            SessionRequestsServer::new(service.clone())
                .max_decoding_message_size(MAX_MESSAGE_BYTES),
        )
        .add_service(
            NotificationsServer::new(service.clone()).max_decoding_message_size(MAX_MESSAGE_BYTES),
        )
        .add_service(
            pb::interims_server::InterimsServer::new(service.clone())
                .max_decoding_message_size(MAX_MESSAGE_BYTES)
                .max_encoding_message_size(MAX_MESSAGE_BYTES),
        )
        .add_service(
            SchedulingServer::new(service)
                .max_decoding_message_size(MAX_MESSAGE_BYTES)
                .max_encoding_message_size(MAX_MESSAGE_BYTES),
        )
        .serve_with_incoming_shutdown(incoming, shutdown);
    tokio::select! {
        served = served => served?,
        () = deadline_passed => tracing::warn!(
            "shutdown: calls still open after {deadline:?}; closing their connections"
        ),
    }
    Ok(())
}
