//! kith-app
