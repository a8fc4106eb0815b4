//! A TCP relay in front of DynamoDB Local for one cold start, noting when each connection was
//! opened: it shows whether a function connects during init (the warm-up call) or only on its
//! first request, and how many connections a cold start opens.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::net::{TcpListener, TcpStream};

pub struct Relay {
    pub address: SocketAddr,
    connections: Arc<Mutex<Vec<Instant>>>,
    acceptor: tokio::task::JoinHandle<()>,
}

impl Relay {
    pub async fn start(upstream: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let connections = Arc::new(Mutex::new(Vec::new()));
        let noted = connections.clone();
        let acceptor = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                noted.lock().expect("connections lock").push(Instant::now());
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let _ = inbound.set_nodelay(true);
                    let _ = outbound.set_nodelay(true);
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                });
            }
        });
        Ok(Self {
            address,
            connections,
            acceptor,
        })
    }

    /// When each connection was accepted, in order.
    pub fn connections(&self) -> Vec<Instant> {
        self.connections.lock().expect("connections lock").clone()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}
