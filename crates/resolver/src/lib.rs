//! ven_resolver (pending)
