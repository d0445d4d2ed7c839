//! ven_environment (pending)
