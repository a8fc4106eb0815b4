//! An uploaded document's bytes, whatever they are, under each declared type: accepted or
//! refused with a Japanese reason, never a panic, and never an image beyond the decoding limits.
//! A file that was cleaned is accepted again as it is (cleaning a cleaned file changes nothing),
//! with the same dimensions.
#![no_main]

use kennin::document_file::{ACCEPTED_TYPES, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, verify};
use kennin_fuzz::assert_japanese;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    for declared in ACCEPTED_TYPES {
        let verified = match verify(declared, bytes) {
            Ok(verified) => verified,
            Err(rejection) => {
                assert_japanese(&rejection.message());
                continue;
            }
        };
        assert_eq!(verified.file_type, declared);
        match (verified.width, verified.height) {
            (Some(width), Some(height)) => {
                assert!(width.max(height) <= MAX_IMAGE_SIDE, "{width}×{height} decoded");
                assert!(
                    u64::from(width) * u64::from(height) <= MAX_IMAGE_PIXELS,
                    "{width}×{height} decoded"
                );
            }
            (None, None) => assert!(verified.bytes.is_none(), "a PDF was changed"),
            dimensions => panic!("half the dimensions: {dimensions:?}"),
        }
        if let Some(cleaned) = &verified.bytes {
            match verify(declared, cleaned) {
                Ok(again) => {
                    assert_eq!(
                        (again.width, again.height),
                        (verified.width, verified.height),
                        "cleaned, another size"
                    );
                    assert_eq!(again.bytes, None, "cleaning the cleaned file changed it");
                }
                Err(rejection) => panic!("the cleaned file is refused: {rejection:?}"),
            }
        }
    }
});
