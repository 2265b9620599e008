//! The contract runner lives in `kith_store::testing` so other crates'
//! tests can run on both backends too.

/// Declares a contract test that runs on both backends.
#[macro_export]
macro_rules! contract {
    ($(#[$meta:meta])* $name:ident, $body:expr) => {
        kith_store::on_both_backends!($(#[$meta])* $name, $body);
    };
}
