use auth0_runtime::protected;

#[protected]
struct Handler;

fn main() {}
