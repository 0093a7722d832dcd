//! The gateway's HTTP API as one axum [`Router`](axum::Router): `POST /webhook`,
//! `GET /webhook/{tracking_id}` and `GET /healthz`. The local host serves it with
//! `axum::serve`; the Lambda host runs the same router under `lambda_http`.

pub mod admission;
pub mod auth;
mod errors;
mod options;
pub mod rate_limit;
mod routes;
mod status;

pub use errors::ApiError;
pub use options::ApiOptions;
pub use routes::{MAX_BODY_BYTES, router};
pub use status::StatusResponse;
