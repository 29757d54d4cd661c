//! Micro-benchmarks of the quickstart routes through the router, without sockets: what the
//! application adds per request, apart from HTTP parsing and the kernel.
//!
//! Run with `cargo bench -p example-api --bench router`. `private_cached` minus `public`
//! is what a repeated token costs in-process, the figure behind the load benchmark's
//! case 2 ÷ case 1. Each routine is timed in the benchmark thread's CPU time.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use auth0_runtime::dev::DevIssuer;
use auth0_runtime::{Config, Verifier};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cpu_time::ThreadTime;
use criterion::{Criterion, criterion_group, criterion_main};
use tower::ServiceExt as _;

/// Polls a future that completes without waiting, as a request with a cached token does.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the request waited although the keys were cached"),
    }
}

/// Sends one GET request through `router` and reads the whole response body.
fn call(router: &Router, path: &str, authorization: Option<&str>) -> (StatusCode, usize) {
    let mut request = Request::get(path);
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    let request = request.body(Body::empty()).expect("a valid request");
    let response = ready(router.clone().oneshot(request)).expect("the router never fails");
    let status = response.status();
    let body = ready(axum::body::to_bytes(response.into_body(), 64 * 1024))
        .expect("a body within the limit");
    (status, body.len())
}

/// Runs `routine` `iterations` times and returns the CPU time this thread spent on it.
fn cpu_time<O>(iterations: u64, mut routine: impl FnMut() -> O) -> Duration {
    let start = ThreadTime::now();
    for _ in 0..iterations {
        black_box(routine());
    }
    start.elapsed()
}

fn routes(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("build a Tokio runtime");
    let issuer = runtime
        .block_on(DevIssuer::start())
        .expect("start the dev issuer");
    let config = Config::builder()
        .issuer_base_url(issuer.issuer())
        .audience(issuer.audience())
        .build()
        .expect("a valid configuration");
    let verifier = Verifier::new(config).expect("build a verifier");
    runtime
        .block_on(verifier.prefetch_keys())
        .expect("fetch the dev issuer's keys");
    // A background key refresh would need the runtime; the keys stay fresh for 10 minutes.
    let _context = runtime.enter();
    let router = example_api::app(verifier, &[]);

    // Shaped like the load benchmark's token: a machine-to-machine token of about 680 bytes.
    let token = issuer
        .token()
        .subject("bench-client-0@clients")
        .scope("read:messages")
        .claim("azp", "bench-client-0")
        .claim("gty", "client-credentials")
        .sign();
    let bearer = format!("Bearer {token}");
    assert_eq!(
        call(&router, "/api/private", Some(&bearer)).0,
        StatusCode::OK
    );
    assert_eq!(call(&router, "/api/public", None).0, StatusCode::OK);

    let mut group = c.benchmark_group("router");
    group.bench_function("public", |b| {
        b.iter_custom(|iterations| cpu_time(iterations, || call(&router, "/api/public", None)))
    });
    group.bench_function("public_with_token", |b| {
        b.iter_custom(|iterations| {
            cpu_time(iterations, || call(&router, "/api/public", Some(&bearer)))
        })
    });
    group.bench_function("private_cached", |b| {
        b.iter_custom(|iterations| {
            cpu_time(iterations, || call(&router, "/api/private", Some(&bearer)))
        })
    });
    group.finish();
}

criterion_group!(benches, routes);
criterion_main!(benches);
