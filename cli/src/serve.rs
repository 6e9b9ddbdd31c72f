//! `agenda serve`: runs the gRPC service of `agenda-service` until Ctrl-C or SIGTERM.

use agenda_service::{serve, AccessConfig, AgendaService, ServeOptions, Store};
use anyhow::{Context, Result};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct ServeFlags {
    /// The SQLite database (created if missing; keeps every acknowledged change).
    #[arg(long)]
    db: PathBuf,
    /// Tokens and roles (TOML; see the README).
    #[arg(long)]
    config: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:50051")]
    listen: SocketAddr,
    /// PEM certificate chain for TLS (with --tls-key); without it, plain HTTP/2.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key for TLS.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

pub fn cmd_serve(flags: ServeFlags) -> Result<u8> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let access = AccessConfig::load(&flags.config)?;
    let examples = access.example_tokens();
    if !examples.is_empty() {
        tracing::warn!(
            entries = ?examples,
            "{}: these tokens are the example's (`change-me...`), which anyone who read it knows; replace them with long random secrets",
            flags.config.display()
        );
    }
    let mail = agenda_service::mail::MailConfig::load(&flags.config).map_err(anyhow::Error::msg)?;
    let store = Store::open(&flags.db)
        .with_context(|| format!("cannot open the database {}", flags.db.display()))?;
    let service = AgendaService::new(store, access)?;
    let tls = match (&flags.tls_cert, &flags.tls_key) {
        (Some(cert), Some(key)) => Some((
            std::fs::read(cert).with_context(|| format!("cannot read {}", cert.display()))?,
            std::fs::read(key).with_context(|| format!("cannot read {}", key.display()))?,
        )),
        _ => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(flags.listen)
            .await
            .with_context(|| format!("cannot listen on {}", flags.listen))?;
        tracing::info!(db = %flags.db.display(), "database open");
        serve(
            listener,
            service,
            ServeOptions {
                tls,
                mail,
                ..ServeOptions::default()
            },
            shutdown_signal(),
        )
        .await
        .context("the server failed")
    })?;
    Ok(0)
}

/// Sets `flag` on the first Ctrl-C (the solve then returns its best agenda); a second
/// Ctrl-C ends the process at once.
pub fn cancel_on_ctrl_c(flag: std::sync::Arc<std::sync::atomic::AtomicBool>) {
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!(
                    "\ninterrupted: stopping at the best agenda so far (Ctrl-C again to quit)"
                );
                flag.store(true, std::sync::atomic::Ordering::Relaxed);
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            }
        });
    });
}
