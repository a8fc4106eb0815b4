//! A PDF must open without a password for whoever reviews it, and run nothing when it opens.

use lopdf::{Document, LoadOptions, Object};

/// How far one stream (an object or cross-reference stream, which are unpacked while loading)
/// may decompress. Real ones are a few hundred kilobytes; page images are not unpacked at all.
const MAX_STREAM_BYTES: usize = 16 * 1024 * 1024;

pub(super) enum Problem {
    Unreadable,
    Encrypted,
    JavaScript,
}

pub(super) fn check(file: &[u8]) -> Result<(), Problem> {
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_STREAM_BYTES),
        ..LoadOptions::default()
    };
    let document = Document::load_mem_with_options(file, options).map_err(|_| Problem::Unreadable)?;
    // Encrypted with an empty user password, the file opens without asking, but lopdf has then
    // decrypted it and dropped /Encrypt from the trailer: `was_encrypted` tells. Either way the
    // reviewer's tools (and a password-protected file's reader) would be stopped by it.
    if document.was_encrypted() || document.trailer.has(b"Encrypt") {
        return Err(Problem::Encrypted);
    }
    // The page tree's own count, not a walk of it: a crafted tree can loop.
    let pages = document
        .catalog()
        .and_then(|catalog| catalog.get_deref(b"Pages", &document))
        .and_then(Object::as_dict)
        .and_then(|root| root.get(b"Count"))
        .and_then(Object::as_i64);
    if !pages.is_ok_and(|count| count > 0) {
        return Err(Problem::Unreadable);
    }
    // Every object the file holds, those unpacked from compressed object streams included, and
    // not only those reachable from the catalog: a viewer may run an action it finds anywhere.
    let trailer = Object::Dictionary(document.trailer.clone());
    if document.objects.values().chain([&trailer]).any(has_javascript) {
        return Err(Problem::JavaScript);
    }
    Ok(())
}

/// A JavaScript action (/S /JavaScript, its /JS), a document's named scripts (/JavaScript in the
/// name dictionary), anywhere in the object.
fn has_javascript(object: &Object) -> bool {
    let is_script_name = |name: &[u8]| name == b"JS" || name == b"JavaScript";
    // A stack rather than recursion: the nesting is the file's to choose.
    let mut pending = vec![object];
    while let Some(object) = pending.pop() {
        let dictionary = match object {
            Object::Name(name) if is_script_name(name) => return true,
            Object::Array(items) => {
                pending.extend(items);
                continue;
            }
            Object::Dictionary(dictionary) => dictionary,
            Object::Stream(stream) => &stream.dict,
            _ => continue,
        };
        for (key, value) in dictionary.iter() {
            if is_script_name(key) {
                return true;
            }
            pending.push(value);
        }
    }
    false
}
