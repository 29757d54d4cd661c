//! Helpers shared by the Criterion benchmarks of this workspace: `auth0-runtime`'s
//! `verify` and, through a `#[path]` module, `example-api`'s `router`.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use auth0_runtime::dev::DevIssuer;
use auth0_runtime::{Config, Verifier};
use cpu_time::ThreadTime;
use tokio::runtime::Runtime;

/// Polls a future that completes without waiting, as verification does once the keys are
/// cached, so that no executor overhead is measured.
pub(crate) fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the benchmark waited although the keys were cached"),
    }
}

/// Runs `routine` `iterations` times and returns the CPU time this thread spent on it.
pub(crate) fn cpu_time<O>(iterations: u64, mut routine: impl FnMut() -> O) -> Duration {
    let start = ThreadTime::now();
    for _ in 0..iterations {
        black_box(routine());
    }
    start.elapsed()
}

/// Starts a one-worker Tokio runtime and a development issuer on 127.0.0.1.
pub(crate) fn start_issuer() -> (Runtime, DevIssuer) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("build a Tokio runtime");
    let issuer = runtime
        .block_on(DevIssuer::start())
        .expect("start the dev issuer");
    (runtime, issuer)
}

/// Returns a verifier of `issuer`'s tokens with a token cache of `capacity` entries and the
/// issuer's keys already fetched.
pub(crate) fn verifier(runtime: &Runtime, issuer: &DevIssuer, capacity: usize) -> Verifier {
    let config = Config::builder()
        .issuer_base_url(issuer.issuer())
        .audience(issuer.audience())
        .token_cache_capacity(capacity)
        .build()
        .expect("a valid configuration");
    let verifier = Verifier::new(config).expect("build a verifier");
    runtime
        .block_on(verifier.prefetch_keys())
        .expect("fetch the dev issuer's keys");
    verifier
}

/// Mints a token shaped like the load benchmark's: a machine-to-machine token of about 680
/// bytes.
pub(crate) fn m2m_token(issuer: &DevIssuer) -> String {
    issuer
        .token()
        .subject("bench-client-0@clients")
        .scope("read:messages")
        .claim("azp", "bench-client-0")
        .claim("gty", "client-credentials")
        .sign()
}
