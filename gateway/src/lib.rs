//! The gateway's HTTP API as one axum [`Router`](axum::Router): `POST /webhook`,
//! `GET /webhook/{tracking_id}` and `GET /healthz`. The local host serves it with
//! `axum::serve`; the Lambda host runs the same router under `lambda_http`.

mod errors;
mod routes;
mod status;

pub use errors::ApiError;
pub use routes::{MAX_BODY_BYTES, router};
pub use status::StatusResponse;
