//! Serving an axum app on a free loopback port, as every stand-in server here does.

use axum::Router;
use std::net::SocketAddr;
use tokio::{net::TcpListener, task::JoinHandle};

/// Serves `app` on `127.0.0.1` on a port the system picks; returns the address and the
/// server's task (abort it to stop the server).
pub async fn serve(app: Router) -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (address, task)
}
