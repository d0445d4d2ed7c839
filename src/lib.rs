//! napi binding (pending)
