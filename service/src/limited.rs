//! Accepted connections, at most so many open at once: each holds a permit until it
//! closes, and one past the limit is closed at once.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_stream::{Stream, StreamExt};
use tonic::transport::server::{Connected, TcpConnectInfo};

/// How often a refused connection is logged at most.
const REFUSAL_LOG_INTERVAL: Duration = Duration::from_secs(10);

/// The connections `listener` accepts, at most `max` open at once.
pub(crate) fn incoming(
    listener: TcpListener,
    max: usize,
) -> impl Stream<Item = io::Result<Limited>> {
    let permits = Arc::new(Semaphore::new(max.max(1)));
    let mut last_logged: Option<Instant> = None;
    let mut refused: u64 = 0;
    tokio_stream::wrappers::TcpListenerStream::new(listener).filter_map(move |conn| {
        let stream = match conn {
            Ok(stream) => stream,
            Err(e) => return Some(Err(e)),
        };
        match permits.clone().try_acquire_owned() {
            Ok(permit) => {
                // Small unary replies must not wait for Nagle's algorithm (40 ms stalls
                // on loopback).
                let _ = stream.set_nodelay(true);
                Some(Ok(Limited {
                    io: stream,
                    _permit: permit,
                }))
            }
            Err(_) => {
                refused += 1;
                if last_logged.is_none_or(|at| at.elapsed() >= REFUSAL_LOG_INTERVAL) {
                    tracing::warn!(
                        refused,
                        peer = ?stream.peer_addr().ok(),
                        "connection refused: {max} already open (the limit)"
                    );
                    last_logged = Some(Instant::now());
                }
                None
            }
        }
    })
}

/// A TCP connection that holds one of the permits while it is open.
pub(crate) struct Limited {
    io: TcpStream,
    _permit: OwnedSemaphorePermit,
}

impl Connected for Limited {
    type ConnectInfo = TcpConnectInfo;
    fn connect_info(&self) -> TcpConnectInfo {
        self.io.connect_info()
    }
}

impl AsyncRead for Limited {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Limited {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}
