//! Large precompressed bodies sent without copying them into the socket (Linux only;
//! elsewhere the server writes every body the plain way). Once the server turns it on,
//! each compressed variant of [`MIN_LEN`] or more is also written once into an
//! in-memory file (a memfd), and [`Connection`], seeing hyper hand it a body that lies
//! in such a region, passes the kernel that file with `sendfile` instead of copying the
//! bytes (the copy was a quarter of the server's CPU for `/feed.xml`, measured with
//! perf). Everything else, and every body in `bulletin build`, is written as before.

use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};

use arc_swap::ArcSwap;
use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, Interest, ReadBuf};
use tokio::net::TcpStream;

/// Bodies below this are copied: `sendfile` pays for itself on tens of kilobytes, and
/// only feeds and the sitemap are that large (58 gzip and 58 brotli variants at 10,000
/// advisories, 11 MB together).
pub(crate) const MIN_LEN: usize = 16 * 1024;

/// Memory files are filled up to this size before a new one is started.
const ARENA_LEN: u64 = 64 << 20;

/// Writes that sent less than the whole body (the socket was full): the rest follows.
static PARTIAL_SENDS: AtomicU64 = AtomicU64::new(0);

/// Mirrors large bodies made from now on (the server calls this before loading a site).
pub fn enable() {
    crate::site::set_body_store(bytes);
}

/// Whether `body` is sent from a memory file.
pub fn is_mirrored(body: &[u8]) -> bool {
    find(body, &REGIONS.load()).is_some()
}

/// How many writes so far sent only part of a mirrored body.
pub fn partial_sends() -> u64 {
    PARTIAL_SENDS.load(Ordering::Relaxed)
}

/// Where registered bodies are, by the address of their first byte.
static REGIONS: std::sync::LazyLock<ArcSwap<BTreeMap<usize, Region>>> =
    std::sync::LazyLock::new(|| ArcSwap::from_pointee(BTreeMap::new()));

/// The memory file being filled.
static ARENA: Mutex<Option<(Arc<File>, u64)>> = Mutex::new(None);

#[derive(Clone)]
struct Region {
    len: usize,
    file: Arc<File>,
    offset: u64,
}

/// A body's bytes and its copy in a memory file; dropped with the last `Bytes` of it,
/// when its region is unregistered before the memory is freed.
struct Mirrored {
    data: Vec<u8>,
    region: Region,
}

impl AsRef<[u8]> for Mirrored {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl Drop for Mirrored {
    fn drop(&mut self) {
        let start = self.data.as_ptr() as usize;
        REGIONS.rcu(|regions| {
            let mut regions = BTreeMap::clone(regions);
            regions.remove(&start);
            regions
        });
        // Give the file's pages back; the file itself closes with its last region.
        let _ = rustix::fs::fallocate(
            &*self.region.file,
            rustix::fs::FallocateFlags::PUNCH_HOLE | rustix::fs::FallocateFlags::KEEP_SIZE,
            self.region.offset,
            self.data.len() as u64,
        );
    }
}

/// `data` as `Bytes`: mirrored in a memory file when that is on and the body is large.
pub fn bytes(data: Vec<u8>) -> Bytes {
    if data.len() < MIN_LEN {
        return Bytes::from(data);
    }
    match copy_to_arena(&data) {
        Ok((file, offset)) => {
            let mirrored = Mirrored { region: Region { len: data.len(), file, offset }, data };
            let (start, region) = (mirrored.data.as_ptr() as usize, mirrored.region.clone());
            // The vector's buffer stays where it is when `mirrored` moves into the Bytes.
            let bytes = Bytes::from_owner(mirrored);
            REGIONS.rcu(|regions| {
                let mut regions = BTreeMap::clone(regions);
                regions.insert(start, region.clone());
                regions
            });
            bytes
        }
        Err(e) => {
            tracing::debug!(error = %e, "body not mirrored for sendfile");
            Bytes::from(data)
        }
    }
}

fn copy_to_arena(data: &[u8]) -> io::Result<(Arc<File>, u64)> {
    let mut arena = ARENA.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let len = data.len() as u64;
    let (file, offset) = match arena.as_ref() {
        Some((file, next)) if next + len <= ARENA_LEN => (file.clone(), *next),
        _ => {
            let fd = rustix::fs::memfd_create("bulletin-bodies", rustix::fs::MemfdFlags::CLOEXEC)?;
            (Arc::new(File::from(fd)), 0)
        }
    };
    file.write_all_at(data, offset)?;
    // Page-aligned, so punching one body's pages out never touches its neighbours.
    let next = (offset + len).next_multiple_of(4096);
    *arena = Some((file.clone(), next));
    Ok((file, offset))
}

/// The registered region holding all of `slice`: its file and the slice's offset there.
fn find(slice: &[u8], regions: &BTreeMap<usize, Region>) -> Option<(Arc<File>, u64)> {
    let start = slice.as_ptr() as usize;
    let (&region_start, region) = regions.range(..=start).next_back()?;
    let within = start - region_start;
    (within + slice.len() <= region.len).then(|| (region.file.clone(), region.offset + within as u64))
}

/// A TCP connection that sends mirrored bodies with `sendfile`.
pub struct Connection {
    stream: TcpStream,
}

impl Connection {
    /// Wraps an accepted connection.
    pub fn new(stream: TcpStream) -> Self {
        Connection { stream }
    }

    /// Writes the head (if any) with `MSG_MORE`, so it leaves with the body's first
    /// bytes, then the body from its file; returns how much of both went out.
    fn send(&self, head: Option<&[u8]>, file: &File, offset: u64, len: usize) -> io::Result<usize> {
        let mut written = 0;
        if let Some(head) = head {
            written = rustix::net::send(&self.stream, head, rustix::net::SendFlags::MORE)?;
            if written < head.len() {
                return Ok(written);
            }
        }
        let mut offset = offset;
        let sent = rustix::fs::sendfile(&self.stream, file, Some(&mut offset), len);
        if !matches!(sent, Ok(n) if n == len) {
            PARTIAL_SENDS.fetch_add(1, Ordering::Relaxed);
        }
        match sent {
            Ok(sent) => Ok(written + sent),
            // The head went out: report it; the body's turn comes with the next write.
            Err(_) if written > 0 => Ok(written),
            Err(e) => Err(e.into()),
        }
    }
}

impl AsyncRead for Connection {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // hyper writes [head, body] for a response, or what is left of the body after a
        // partial write.
        let (head, body) = match bufs {
            [body, ..] if body.len() >= MIN_LEN => (None, body),
            [head, body, ..] if body.len() >= MIN_LEN => (Some(&**head), body),
            _ => return Pin::new(&mut self.stream).poll_write_vectored(cx, bufs),
        };
        let regions = REGIONS.load();
        let Some((file, offset)) = find(body, &regions) else {
            return Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        };
        loop {
            ready!(self.stream.poll_write_ready(cx))?;
            match self.stream.try_io(Interest::WRITABLE, || self.send(head, &file, offset, body.len())) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                done => return Poll::Ready(done),
            }
        }
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{IoSlice, Read};
    use std::pin::Pin;

    use super::*;

    #[tokio::test]
    async fn a_body_sent_in_parts_arrives_whole() {
        enable();
        let body: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let mirrored = bytes(body.clone());
        assert!(is_mirrored(&mirrored) && is_mirrored(&mirrored[1000..2000]));
        assert!(!is_mirrored(&body), "a copy is not the registered memory");
        let before = partial_sends();

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let reader = std::thread::spawn(move || {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            rustix::net::sockopt::set_socket_recv_buffer_size(&s, 4096).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(100));
            let mut out = Vec::new();
            s.read_to_end(&mut out).unwrap();
            out
        });
        let (stream, _) = listener.accept().await.unwrap();
        rustix::net::sockopt::set_socket_send_buffer_size(&stream, 4096).unwrap();
        let mut connection = Connection::new(stream);
        // As hyper writes: the head and the body, then whatever is left after each write.
        let head = b"HTTP/1.1 200 OK\r\n\r\n";
        let (mut sent, total) = (0, head.len() + mirrored.len());
        while sent < total {
            let bufs = if sent < head.len() {
                vec![IoSlice::new(&head[sent..]), IoSlice::new(&mirrored)]
            } else {
                vec![IoSlice::new(&mirrored[sent - head.len()..])]
            };
            sent += std::future::poll_fn(|cx| Pin::new(&mut connection).poll_write_vectored(cx, &bufs)).await.unwrap();
        }
        drop(connection);
        let received = tokio::task::spawn_blocking(move || reader.join().unwrap()).await.unwrap();
        assert!(received == [&head[..], &body].concat(), "{} of {} bytes", received.len(), total);
        assert!(partial_sends() > before, "the body went out in parts");

        drop(mirrored);
        let copy = bytes(body);
        assert!(is_mirrored(&copy), "a new body is registered after the old one left");
    }
}
