//! A TCP proxy on loopback that a test can take down and bring back: a database restart
//! as the provider sees it, without touching the machine's Postgres.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct Proxy {
    pub addr: SocketAddr,
    up: Arc<AtomicBool>,
    /// Bumped on `down`: every forwarded connection watching it closes.
    outages: watch::Sender<u64>,
}

impl Proxy {
    /// Forwards 127.0.0.1:<port 0> to `target`.
    pub async fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let addr = listener.local_addr().expect("local address");
        let up = Arc::new(AtomicBool::new(true));
        let (outages, _) = watch::channel(0u64);
        let (up_flag, outages_tx) = (Arc::clone(&up), outages.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !up_flag.load(Ordering::SeqCst) {
                    // Down: accept and hang up at once, as a server that is not there.
                    drop(inbound);
                    continue;
                }
                let mut outage = outages_tx.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = outage.changed() => {}
                    }
                });
            }
        });
        Proxy { addr, up, outages }
    }

    /// Cuts every open connection and refuses new ones.
    pub fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.outages.send_modify(|n| *n += 1);
    }

    pub fn up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}
