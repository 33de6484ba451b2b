//! Proc macros for fork-guard.
