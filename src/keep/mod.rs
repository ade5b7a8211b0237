//! Keeping runs: run files a user saves and reopens, and the history of finished runs the app
//! keeps by itself. No egui, no clap: the window and the command line share it.

pub mod history;
pub mod runfile;

pub use history::History;
pub use runfile::{RunFile, SecretsIn};

/// Text as part of a file name: ASCII letters, digits, `-` and `_`; anything else becomes `-`.
pub fn file_name_part(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}
