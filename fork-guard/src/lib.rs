//! Runtime fork guard.
