//! Serves Auth0's quickstart API.

fn main() {}
