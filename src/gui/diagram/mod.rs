//! The sequence diagram: model → [`layout`] (pure) → paint.

pub mod layout;
