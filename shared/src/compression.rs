//! gzip, as the pages' files (compressed once) and the API's long JSON answers (each time) are
//! sent to a browser that takes it.

use flate2::write::GzEncoder;
use std::io::Write;

pub use flate2::Compression as Level;

/// `text` gzipped: at `Level::best()` for files compressed once, `Level::default()` for answers
/// compressed each time.
pub fn gzipped(text: &str, level: Level) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(text.len() / 3), level);
    encoder
        .write_all(text.as_bytes())
        .and_then(|()| encoder.finish())
        .unwrap_or_else(|_| unreachable!("writing to a Vec cannot fail"))
}
