use auth0_runtime::{protected, requires_scope};

#[protected]
#[requires_scope("read:messages")]
struct Handler;

fn main() {}
