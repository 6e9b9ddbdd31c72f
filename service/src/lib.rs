//! `agenda serve`: the gRPC service (`agenda.v1`, see `proto/agenda/v1/agenda.proto`)
//! over `agenda-solver`.
//!
//! Chairs' tools submit session requests; the secretariat's tools import meetings, lock
//! the tool, run solves (progress streamed) and fetch agendas, reports and exports. State
//! lives in one SQLite file ([`store`]); the request lifecycle is in [`intake`]; the
//! messages of the outbox in [`notify`]; tokens and roles in [`auth`]. [`server`] holds
//! the thin tonic layer and [`serve`] puts it on a socket with health checking,
//! reflection, size limits and graceful shutdown.

pub mod auth;
pub mod convert;
pub mod error;
pub mod intake;
pub mod interims;
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

/// How to serve.
pub struct ServeOptions {
    /// PEM certificate chain and key; `None` serves plain HTTP/2 (loopback, behind a proxy).
    pub tls: Option<(Vec<u8>, Vec<u8>)>,
    /// Server-side ceiling on a unary call (clients' `grpc-timeout` is honoured too).
    pub request_timeout: std::time::Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            tls: None,
            request_timeout: std::time::Duration::from_secs(3600),
        }
    }
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("transport: {0}")]
    Transport(#[from] tonic::transport::Error),
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
        .timeout(options.request_timeout)
        .http2_keepalive_interval(Some(KEEPALIVE_INTERVAL))
        .http2_keepalive_timeout(Some(KEEPALIVE_TIMEOUT))
        .tcp_keepalive(Some(KEEPALIVE_INTERVAL))
        .max_concurrent_streams(Some(MAX_STREAMS_PER_CONNECTION));
    if let Some((cert, key)) = options.tls {
        builder =
            builder.tls_config(ServerTlsConfig::new().identity(Identity::from_pem(cert, key)))?;
    }
    // Small unary replies must not wait for Nagle's algorithm (40 ms stalls on loopback).
    let incoming = tokio_stream::StreamExt::map(
        tokio_stream::wrappers::TcpListenerStream::new(listener),
        |conn| {
            if let Ok(stream) = &conn {
                let _ = stream.set_nodelay(true);
            }
            conn
        },
    );
    let stopping = service.clone();
    let shutdown = async move {
        shutdown.await;
        tracing::info!("shutting down: cancelling any running solve, finishing in-flight calls");
        health
            .set_not_serving::<SchedulingServer<AgendaService>>()
            .await;
        stopping.begin_shutdown();
    };
    builder
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
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await?;
    Ok(())
}
