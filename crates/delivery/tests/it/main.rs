//! The HTTP deliverer against real receivers on 127.0.0.1.

mod failures;
mod guard;
mod receiver;
mod signing;
mod statuses;
