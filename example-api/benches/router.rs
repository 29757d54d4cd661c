//! Micro-benchmarks of the quickstart routes through the router, without sockets: what the
//! application adds per request, apart from HTTP parsing and the kernel.
//!
//! Run with `cargo bench -p example-api --bench router`. `private_cached` minus `public`
//! is what a repeated token costs in-process, the figure behind the load benchmark's
//! case 2 ÷ case 1. Each routine is timed in the benchmark thread's CPU time.

#[path = "../../auth0-runtime/benches/support/mod.rs"]
mod support;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use criterion::{Criterion, criterion_group, criterion_main};
use support::{cpu_time, ready};
use tower::ServiceExt as _;

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

fn routes(c: &mut Criterion) {
    let (runtime, issuer) = support::start_issuer();
    let verifier = support::verifier(&runtime, &issuer, 16_384);
    // A background key refresh would need the runtime, so it is entered. The keys stay
    // fresh for 10 minutes, longer than the benchmark runs.
    let _context = runtime.enter();
    let router = example_api::app(verifier, &[]);

    let token = support::m2m_token(&issuer);
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
