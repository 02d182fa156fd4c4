//! Bounds on long-lived response streams (the usage CSV): a deadline on each, and a cap on how
//! many one token may hold open.
//!
//! A stream is served from a spooled file, so it holds no database connection; what it still
//! holds is a socket, a file and a slot. A client that stops reading leaves hyper blocked on a
//! full socket, and a blocked hyper no longer polls the body, so a timer inside the body can
//! never fire: the deadline is enforced on the connection's IO instead ([`DeadlineListener`]),
//! armed by the handler through [`ConnDeadline`].

use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// Limits of the synchronous CSV streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvStreamLimits {
    /// Most streams one token may have open at once; one more is a 429 (default
    /// [`usage_api::limits::CSV_STREAMS_PER_TOKEN`]).
    pub per_token: usize,
    /// A client that has not read the whole CSV by then is cut off (default 60 s).
    pub deadline: Duration,
}

/// The default stream deadline.
pub const CSV_DEADLINE_DEFAULT: Duration = Duration::from_secs(60);

impl Default for CsvStreamLimits {
    fn default() -> Self {
        Self {
            per_token: usage_api::limits::CSV_STREAMS_PER_TOKEN,
            deadline: CSV_DEADLINE_DEFAULT,
        }
    }
}

/// The CSV streams open now, by token.
#[derive(Debug, Clone, Default)]
pub struct CsvStreams {
    /// The limits in force.
    pub limits: CsvStreamLimits,
    open: Arc<Mutex<HashMap<String, usize>>>,
}

impl CsvStreams {
    /// No streams open yet, under `limits`.
    pub fn new(limits: CsvStreamLimits) -> Self {
        Self {
            limits,
            open: Arc::default(),
        }
    }

    /// A slot for one more stream of `token`, or None when it has its share open.
    pub fn try_open(&self, token: &str) -> Option<StreamSlot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(token.to_owned()).or_default();
        if *n >= self.limits.per_token {
            return None;
        }
        *n += 1;
        Some(StreamSlot {
            streams: self.clone(),
            token: token.to_owned(),
        })
    }

    /// How long a refused client should wait: a slot frees when a stream ends, at the latest
    /// at its deadline.
    pub fn retry_after_secs(&self) -> u64 {
        self.limits.deadline.as_secs().clamp(1, 10)
    }
}

/// One open stream of a token; dropping it frees the slot.
#[derive(Debug)]
pub struct StreamSlot {
    streams: CsvStreams,
    token: String,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.streams.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.token) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.token);
            }
        }
    }
}

#[derive(Debug, Default)]
struct DeadlineState {
    at: Option<Instant>,
    /// The body has been handed to hyper whole: the deadline ends once hyper has flushed it.
    body_done: bool,
}

/// The connection a request came on, as the handler sees it (through `ConnectInfo`): it can
/// put a deadline on the connection.
#[derive(Debug, Clone)]
pub struct ConnDeadline {
    /// The client's address.
    pub remote: SocketAddr,
    state: Arc<Mutex<DeadlineState>>,
}

impl ConnDeadline {
    /// Cuts the connection at `at` unless the response in flight has been sent by then.
    pub fn arm(&self, at: Instant) -> ArmedDeadline {
        let mut s = self.lock();
        s.at = Some(at);
        s.body_done = false;
        ArmedDeadline(self.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DeadlineState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Held by a response body: once dropped, the deadline lasts only until hyper has flushed
/// what it still buffers, so a keep-alive connection is not cut later for a stream it finished.
#[derive(Debug)]
pub struct ArmedDeadline(ConnDeadline);

impl Drop for ArmedDeadline {
    fn drop(&mut self) {
        self.0.lock().body_done = true;
    }
}

impl Connected<IncomingStream<'_, DeadlineListener>> for ConnDeadline {
    fn connect_info(stream: IncomingStream<'_, DeadlineListener>) -> Self {
        stream.io().conn.clone()
    }
}

/// A TCP listener whose connections can be given a deadline by the request they carry.
#[derive(Debug)]
pub struct DeadlineListener(pub tokio::net::TcpListener);

impl axum::serve::Listener for DeadlineListener {
    type Io = DeadlineIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (DeadlineIo, SocketAddr) {
        let (io, remote) = axum::serve::Listener::accept(&mut self.0).await;
        // Without it a response's last small write (a streamed CSV's final chunk) waits for
        // the client's delayed ACK: about 40 ms added to every such response.
        if let Err(e) = io.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
        let conn = ConnDeadline {
            remote,
            state: Arc::default(),
        };
        (
            DeadlineIo {
                io,
                conn,
                sleep: None,
            },
            remote,
        )
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// A TCP stream that fails every read and write once its deadline has passed, which makes
/// hyper drop the connection even while it waits on a client that reads nothing.
#[derive(Debug)]
pub struct DeadlineIo {
    io: tokio::net::TcpStream,
    conn: ConnDeadline,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl DeadlineIo {
    /// The handle its requests arm a deadline with.
    pub fn conn(&self) -> &ConnDeadline {
        &self.conn
    }

    /// The deadline in force, or an error when it has passed.
    fn check(&mut self) -> io::Result<Option<Instant>> {
        let at = self.conn.lock().at;
        match at {
            Some(at) if Instant::now() >= at => {
                tracing::info!(remote = %self.conn.remote, "stream deadline passed; connection cut");
                Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the stream deadline passed",
                ))
            }
            other => Ok(other),
        }
    }

    /// After a Pending from the socket: wakes the task at the deadline, so a connection that
    /// waits on a client that never reads is still cut.
    fn wake_at(&mut self, at: Option<Instant>, cx: &mut Context<'_>) {
        let Some(at) = at else { return };
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(at)));
        if sleep.deadline() != at {
            sleep.as_mut().reset(at);
        }
        // Ready means the deadline is passing right now: the next poll sees it.
        if sleep.as_mut().poll(cx).is_ready() {
            cx.waker().wake_by_ref();
        }
    }

    fn guarded<T>(
        &mut self,
        cx: &mut Context<'_>,
        op: impl FnOnce(Pin<&mut tokio::net::TcpStream>, &mut Context<'_>) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        let at = self.check()?;
        let poll = op(Pin::new(&mut self.io), cx);
        if poll.is_pending() {
            self.wake_at(at, cx);
        }
        poll
    }
}

impl AsyncRead for DeadlineIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.get_mut().guarded(cx, |io, cx| io.poll_read(cx, buf))
    }
}

impl AsyncWrite for DeadlineIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().guarded(cx, |io, cx| io.poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .guarded(cx, |io, cx| io.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.guarded(cx, |io, cx| io.poll_flush(cx)))?;
        // hyper flushes once its buffer is in the socket: a finished stream is then sent.
        let mut s = this.conn.lock();
        if s.body_done {
            s.at = None;
            s.body_done = false;
            drop(s);
            this.sleep = None;
        }
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_counted_per_token_and_freed_on_drop() {
        let streams = CsvStreams::new(CsvStreamLimits {
            per_token: 2,
            deadline: Duration::from_secs(60),
        });
        let a1 = streams.try_open("a").unwrap();
        let _a2 = streams.try_open("a").unwrap();
        assert!(streams.try_open("a").is_none());
        let _b1 = streams.try_open("b").unwrap();
        drop(a1);
        assert!(streams.try_open("a").is_some());
    }
}
