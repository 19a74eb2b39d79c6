//! A TCP proxy on loopback that a test can take down, stall and bring back: a database
//! restart or a service that stops answering, without touching the real one.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

const UP: u8 = 0;
const DOWN: u8 = 1;
const STALLED: u8 = 2;

pub struct Proxy {
    pub addr: SocketAddr,
    mode: Arc<AtomicU8>,
    /// Bumped on every change of mode: open connections watching it close.
    changes: watch::Sender<u64>,
}

impl Proxy {
    /// Forwards 127.0.0.1:<port 0> to `target`.
    pub async fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let addr = listener.local_addr().expect("local address");
        let mode = Arc::new(AtomicU8::new(UP));
        let (changes, _) = watch::channel(0u64);
        let (mode_now, changes_tx) = (Arc::clone(&mode), changes.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let mut change = changes_tx.subscribe();
                match mode_now.load(Ordering::SeqCst) {
                    // Down: hang up at once, as a server that is not there.
                    DOWN => drop(inbound),
                    // Stalled: keep the connection open and say nothing.
                    STALLED => {
                        tokio::spawn(async move {
                            let _ = change.changed().await;
                            drop(inbound);
                        });
                    }
                    _ => {
                        tokio::spawn(async move {
                            let Ok(mut outbound) = TcpStream::connect(target).await else {
                                return;
                            };
                            tokio::select! {
                                _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                                _ = change.changed() => {}
                            }
                        });
                    }
                }
            }
        });
        Proxy {
            addr,
            mode,
            changes,
        }
    }

    fn set(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
        self.changes.send_modify(|n| *n += 1);
    }

    /// Cuts every open connection and refuses new ones.
    pub fn down(&self) {
        self.set(DOWN);
    }

    /// Cuts every open connection; new ones are accepted and never answered.
    pub fn stall(&self) {
        self.set(STALLED);
    }

    pub fn up(&self) {
        self.set(UP);
    }
}
