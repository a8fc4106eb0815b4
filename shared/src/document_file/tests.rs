use super::*;
use std::time::{Duration, Instant};

macro_rules! document {
    ($name:literal) => {
        include_bytes!(concat!("../../../tests/data/documents/", $name)).as_slice()
    };
}

const PHONE_PHOTO: &[u8] = document!("phone-photo-gps.jpg");
const TRUNCATED_PHOTO: &[u8] = document!("truncated.jpg");
const TEXT_PNG: &[u8] = document!("text-chunk.png");
const PLAIN_PDF: &[u8] = document!("plain.pdf");
const ENCRYPTED_PDF: &[u8] = document!("encrypted.pdf");
const OWNER_PASSWORD_PDF: &[u8] = document!("encrypted-owner-only.pdf");
const JAVASCRIPT_PDF: &[u8] = document!("javascript.pdf");
const JAVASCRIPT_IN_OBJECT_STREAM_PDF: &[u8] = document!("javascript-object-stream.pdf");

fn refusal(declared: FileType, bytes: &[u8]) -> Rejection {
    match verify(declared, bytes) {
        Ok(verified) => panic!("accepted: {verified:?}"),
        Err(rejection) => rejection,
    }
}

fn exif_of(bytes: &[u8]) -> Option<exif::Exif> {
    exif::Reader::new().read_from_container(&mut Cursor::new(bytes)).ok()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

fn pixels(bytes: &[u8]) -> image::DynamicImage {
    image::load_from_memory(bytes).expect("decodes")
}

#[test]
fn content_types_are_the_three_accepted_ones() {
    for file_type in ACCEPTED_TYPES {
        assert_eq!(FileType::from_content_type(file_type.content_type()), Some(file_type));
    }
    assert_eq!(FileType::from_content_type(" Image/JPEG "), Some(FileType::Jpeg));
    for refused in [
        "image/jpg",
        "image/heic",
        "image/gif",
        "text/plain",
        "application/zip",
        "",
    ] {
        assert_eq!(FileType::from_content_type(refused), None, "{refused}");
    }
    let extensions = ACCEPTED_TYPES.map(FileType::extension);
    assert_eq!(extensions, ["jpg", "png", "pdf"]);
}

#[test]
fn the_limits_are_described_from_their_constants() {
    assert_eq!(
        limits_description(),
        "JPEG・PNG・PDF、1ファイル10MBまで、1人につき20ファイル・合計50MBまで"
    );
}

#[test]
fn a_phone_photo_loses_its_gps_and_device_but_keeps_its_pixels_and_orientation() {
    let original = exif_of(PHONE_PHOTO).expect("the test photo carries EXIF");
    for tag in [
        exif::Tag::GPSLatitude,
        exif::Tag::GPSLongitude,
        exif::Tag::Model,
        exif::Tag::Make,
    ] {
        assert!(
            original.get_field(tag, exif::In::PRIMARY).is_some(),
            "{tag} missing from the test photo"
        );
    }

    let verified = verify(FileType::Jpeg, PHONE_PHOTO).expect("accepted");
    assert_eq!((verified.width, verified.height), (Some(320), Some(240)));
    let cleaned = verified.bytes.expect("the photo was cleaned");

    let exif = exif_of(&cleaned).expect("the orientation is kept as EXIF");
    let tags: Vec<_> = exif.fields().map(|field| field.tag).collect();
    assert_eq!(tags, [exif::Tag::Orientation], "only the orientation is left");
    let orientation = exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY).expect("kept");
    assert_eq!(orientation.value.get_uint(0), Some(6));
    for leaked in [
        &b"iPhone"[..],
        b"Apple",
        b"http://ns.adobe.com/xap",
        b"35,40",
        b"Taken at home",
    ] {
        assert!(
            !contains(&cleaned, leaked),
            "{} left in the photo",
            String::from_utf8_lossy(leaked)
        );
    }

    // Not re-encoded: the same pixels, and the file shrank only by its metadata.
    assert_eq!(pixels(&cleaned), pixels(PHONE_PHOTO));
    assert!(cleaned.len() < PHONE_PHOTO.len());
    let again = verify(FileType::Jpeg, &cleaned).expect("the cleaned photo is accepted");
    assert_eq!((again.width, again.height, again.bytes), (Some(320), Some(240), None));
}

#[test]
fn a_photo_without_orientation_gets_no_exif_at_all() {
    let mut plain = Vec::new();
    image::DynamicImage::new_rgb8(16, 8)
        .write_to(&mut Cursor::new(&mut plain), ImageFormat::Jpeg)
        .expect("encodes");
    let verified = verify(FileType::Jpeg, &plain).expect("accepted");
    assert_eq!((verified.width, verified.height), (Some(16), Some(8)));
    let cleaned = verified.bytes.unwrap_or(plain);
    assert!(exif_of(&cleaned).is_none());
}

#[test]
fn what_follows_the_end_of_a_photo_is_dropped() {
    let mut with_trailer = PHONE_PHOTO.to_vec();
    with_trailer.extend_from_slice(b"\xFF\xD8\xFF\xE1 a second picture with its own EXIF");
    let cleaned = verify(FileType::Jpeg, &with_trailer)
        .expect("accepted")
        .bytes
        .expect("cleaned");
    assert!(cleaned.ends_with(b"\xFF\xD9"));
    assert!(!contains(&cleaned, b"second picture"));
}

#[test]
fn a_png_loses_its_text_chunks() {
    assert!(contains(TEXT_PNG, b"tEXt") && contains(TEXT_PNG, b"iTXt"));
    let verified = verify(FileType::Png, TEXT_PNG).expect("accepted");
    assert_eq!((verified.width, verified.height), (Some(200), Some(120)));
    let cleaned = verified.bytes.expect("the text was removed");
    for leaked in [&b"tEXt"[..], b"iTXt", b"Yamada", b"Setagaya"] {
        assert!(!contains(&cleaned, leaked), "{} left", String::from_utf8_lossy(leaked));
    }
    assert_eq!(pixels(&cleaned), pixels(TEXT_PNG));
    assert_eq!(verify(FileType::Png, &cleaned).expect("accepted").bytes, None);
}

#[test]
fn a_png_keeps_only_its_orientation_from_its_exif() {
    // The phone photo's EXIF (GPS, device, orientation 6) as an eXIf chunk after IHDR.
    let exif = exif_of(PHONE_PHOTO).expect("the test photo carries EXIF");
    let ihdr_end = 8 + 12 + 13;
    let mut with_exif = TEXT_PNG[..ihdr_end].to_vec();
    png::write_chunk(b"eXIf", exif.buf(), &mut with_exif);
    with_exif.extend_from_slice(&TEXT_PNG[ihdr_end..]);

    let cleaned = verify(FileType::Png, &with_exif)
        .expect("accepted")
        .bytes
        .expect("cleaned");
    let left = exif_of(&cleaned).expect("the orientation is kept as eXIf");
    let tags: Vec<_> = left
        .fields()
        .map(|field| (field.tag, field.value.get_uint(0)))
        .collect();
    assert_eq!(tags, [(exif::Tag::Orientation, Some(6))]);
    assert!(!contains(&cleaned, b"iPhone"));
    assert_eq!(verify(FileType::Png, &cleaned).expect("accepted").bytes, None);
}

#[test]
fn a_plain_pdf_is_accepted_as_it_is() {
    assert_eq!(
        verify(FileType::Pdf, PLAIN_PDF),
        Ok(Verified {
            file_type: FileType::Pdf,
            bytes: None,
            width: None,
            height: None
        })
    );
}

#[test]
fn the_declared_type_must_match_the_bytes() {
    assert_eq!(
        refusal(FileType::Jpeg, PLAIN_PDF),
        Rejection::TypeMismatch {
            declared: FileType::Jpeg,
            found: Some(Content::Accepted(FileType::Pdf))
        }
    );
    assert_eq!(
        refusal(FileType::Jpeg, PLAIN_PDF).message(),
        "ファイルの中身がJPEG画像ではなくPDFです。ファイル名の拡張子が中身と合っていません。拡張子を「.pdf」に直してから、もう一度選んでください。"
    );
    assert_eq!(
        refusal(FileType::Pdf, PHONE_PHOTO),
        Rejection::TypeMismatch {
            declared: FileType::Pdf,
            found: Some(Content::Accepted(FileType::Jpeg))
        }
    );
    assert_eq!(
        refusal(FileType::Png, PHONE_PHOTO),
        Rejection::TypeMismatch {
            declared: FileType::Png,
            found: Some(Content::Accepted(FileType::Jpeg))
        }
    );

    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
    let refused = refusal(FileType::Jpeg, heic);
    assert_eq!(
        refused,
        Rejection::TypeMismatch {
            declared: FileType::Jpeg,
            found: Some(Content::Heic)
        }
    );
    assert!(refused.message().contains("互換性優先"), "{}", refused.message());

    let word = b"PK\x03\x04\x14\0\x06\0";
    assert_eq!(
        refusal(FileType::Pdf, word).message(),
        "ファイルの中身がPDFではなくZIP形式のファイル（WordやExcelなど）です。JPEG・PNG・PDFのいずれかで保存し直して送ってください。"
    );
    assert_eq!(
        refusal(FileType::Png, b"hello"),
        Rejection::TypeMismatch {
            declared: FileType::Png,
            found: None
        }
    );
}

#[test]
fn an_empty_file_is_refused() {
    assert_eq!(refusal(FileType::Png, b""), Rejection::Empty);
}

#[test]
fn a_file_over_the_limit_is_refused_before_it_is_parsed() {
    // Zeros are no JPEG: had anything looked at them, they would be refused as another type.
    let oversized = vec![0; MAX_FILE_BYTES as usize + 1];
    let refused = refusal(FileType::Jpeg, &oversized);
    assert_eq!(
        refused,
        Rejection::TooLarge {
            size: MAX_FILE_BYTES + 1
        }
    );
    assert!(
        refused
            .message()
            .starts_with("ファイルが大きすぎます（10.0MB）。1ファイル10MBまでです。")
    );
    let at_the_limit = vec![0; MAX_FILE_BYTES as usize];
    assert!(matches!(
        refusal(FileType::Jpeg, &at_the_limit),
        Rejection::TypeMismatch { .. }
    ));
}

#[test]
fn a_cut_off_or_corrupt_image_is_refused() {
    assert_eq!(
        refusal(FileType::Jpeg, TRUNCATED_PHOTO),
        Rejection::Undecodable(FileType::Jpeg)
    );
    assert_eq!(
        refusal(FileType::Png, &TEXT_PNG[..TEXT_PNG.len() - 40]),
        Rejection::Undecodable(FileType::Png)
    );

    // Whole in structure, but the compressed pixels are garbage (and fail their checksum).
    let idat = TEXT_PNG
        .windows(4)
        .position(|window| window == b"IDAT")
        .expect("has IDAT");
    let mut corrupt = TEXT_PNG.to_vec();
    corrupt[idat + 4..idat + 12].copy_from_slice(b"garbage!");
    assert_eq!(refusal(FileType::Png, &corrupt), Rejection::Undecodable(FileType::Png));

    // A JPEG whose frame header is cut short.
    let sof = PHONE_PHOTO
        .windows(2)
        .position(|window| window == b"\xFF\xC0")
        .expect("has SOF0");
    let mut broken = PHONE_PHOTO.to_vec();
    broken[sof + 2..sof + 4].copy_from_slice(&3u16.to_be_bytes());
    assert_eq!(refusal(FileType::Jpeg, &broken), Rejection::Undecodable(FileType::Jpeg));
}

/// A PNG whose header claims `width` × `height` pixels, with one tiny IDAT.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut file = b"\x89PNG\r\n\x1A\n".to_vec();
    png::write_chunk(b"IHDR", &header, &mut file);
    png::write_chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01], &mut file);
    png::write_chunk(b"IEND", &[], &mut file);
    file
}

#[test]
fn a_decompression_bomb_is_refused_at_once() {
    for (width, height) in [(100_000, 100_000), (MAX_IMAGE_SIDE + 1, 10), (10_000, 10_000)] {
        let started = Instant::now();
        let refused = refusal(FileType::Png, &png_claiming(width, height));
        assert_eq!(refused, Rejection::ImageTooLarge, "{width}×{height}");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "took {:?}",
            started.elapsed()
        );
    }
    assert_eq!(
        Rejection::ImageTooLarge.message(),
        "画像が大きすぎます。縦横それぞれ12,000ピクセル以内・5,000万画素以内に小さくしてから送ってください。"
    );
}

#[test]
fn an_encrypted_pdf_is_refused() {
    assert_eq!(refusal(FileType::Pdf, ENCRYPTED_PDF), Rejection::EncryptedPdf);
    assert_eq!(refusal(FileType::Pdf, OWNER_PASSWORD_PDF), Rejection::EncryptedPdf);
}

#[test]
fn a_pdf_with_javascript_is_refused_even_in_an_object_stream() {
    assert_eq!(refusal(FileType::Pdf, JAVASCRIPT_PDF), Rejection::PdfWithJavaScript);
    assert!(
        !contains(JAVASCRIPT_IN_OBJECT_STREAM_PDF, b"JavaScript"),
        "the action is compressed"
    );
    assert_eq!(
        refusal(FileType::Pdf, JAVASCRIPT_IN_OBJECT_STREAM_PDF),
        Rejection::PdfWithJavaScript
    );
    // A name written with an escape (#53 is S) is the same name.
    let escaped = String::from_utf8_lossy(JAVASCRIPT_PDF).replace("/JS ", "/J#53 ");
    assert_ne!(escaped.as_bytes(), JAVASCRIPT_PDF);
    assert_eq!(refusal(FileType::Pdf, escaped.as_bytes()), Rejection::PdfWithJavaScript);
}

#[test]
fn a_pdf_that_does_not_parse_is_refused() {
    assert_eq!(
        refusal(FileType::Pdf, b"%PDF-1.7\nnothing else"),
        Rejection::UnreadablePdf
    );
    assert_eq!(refusal(FileType::Pdf, &PLAIN_PDF[..60]), Rejection::UnreadablePdf);
    let text = String::from_utf8_lossy(PLAIN_PDF);
    assert!(
        verify(FileType::Pdf, text.as_bytes()).is_ok(),
        "read as text, the PDF still parses"
    );
    let no_pages = text.replace("/Count 1", "/Count 0");
    assert_ne!(no_pages, text);
    assert_eq!(refusal(FileType::Pdf, no_pages.as_bytes()), Rejection::UnreadablePdf);
}

#[test]
fn every_refusal_is_explained_in_japanese() {
    let found = [
        None,
        Some(Content::Heic),
        Some(Content::Accepted(FileType::Pdf)),
        Some(Content::Zip),
    ];
    let rejections = [
        Rejection::Empty,
        Rejection::TooLarge { size: 12_345_678 },
        Rejection::ImageTooLarge,
        Rejection::Undecodable(FileType::Jpeg),
        Rejection::Undecodable(FileType::Png),
        Rejection::EncryptedPdf,
        Rejection::PdfWithJavaScript,
        Rejection::UnreadablePdf,
    ]
    .into_iter()
    .chain(found.map(|found| Rejection::TypeMismatch {
        declared: FileType::Jpeg,
        found,
    }));
    for rejection in rejections {
        let message = rejection.message();
        assert!(message.ends_with("ください。"), "no instruction: {message}");
        assert!(!message.chars().any(char::is_control), "{message:?}");
    }
    assert!(
        Rejection::TooLarge { size: 12_345_678 }
            .message()
            .contains("（11.8MB）")
    );
    assert!(Rejection::EncryptedPdf.message().contains("パスワード"));
    assert!(Rejection::Undecodable(FileType::Jpeg).message().contains("撮影"));
}
