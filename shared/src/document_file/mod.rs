//! An uploaded document's file, checked on the server before anyone else sees it: the bytes are
//! what the declared type says, within the size limit, an image decodes in full (in bounded
//! memory), a PDF is neither encrypted nor scripted; and a photo leaves without the metadata that
//! can place or identify the person (EXIF GPS and device, XMP, IPTC, comments). The limits of the
//! upload policy live here too, so the presigned upload, this check and the portal's wording
//! state the same numbers.

mod jpeg;
mod pdf;
mod png;

use crate::domain::{grouped, stated};
use image::{ImageDecoder as _, ImageError, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

const MIB: u64 = 1024 * 1024;

/// The largest file a person may send.
pub const MAX_FILE_BYTES: u64 = 10 * MIB;
/// How many documents one target (one person surveyed) may hold.
pub const MAX_FILES_PER_TARGET: usize = 20;
/// How many bytes of documents one target may hold.
pub const MAX_TARGET_BYTES: u64 = 50 * MIB;
/// The types a person may send, in the order the portal names them.
pub const ACCEPTED_TYPES: [FileType; 3] = [FileType::Jpeg, FileType::Png, FileType::Pdf];

/// The longest side of an image we decode. A phone's 48-megapixel photo is 8,064 px wide.
pub const MAX_IMAGE_SIDE: u32 = 12_000;
/// The most pixels an image we decode may have: a 48-megapixel photo fits; decoding one takes
/// its pixels (3 bytes each) plus, for a progressive JPEG, the coefficients (2 bytes a sample),
/// about 450 MB at most.
pub const MAX_IMAGE_PIXELS: u64 = 50_000_000;
/// What the image decoder may allocate at once (its own bound, besides the pixel count: PNG
/// metadata chunks, 16-bit pixels).
const MAX_DECODE_BYTES: u64 = 512 * MIB;

/// The policy in the words the portal shows before a file is chosen.
pub fn limits_description() -> &'static str {
    stated!(
        "{}、1ファイル{}MBまで、1人につき{}ファイル・合計{}MBまで",
        accepted_labels(),
        megabytes(MAX_FILE_BYTES),
        grouped(MAX_FILES_PER_TARGET as i64),
        megabytes(MAX_TARGET_BYTES)
    )
}

fn accepted_labels() -> String {
    ACCEPTED_TYPES
        .iter()
        .map(|file_type| file_type.label())
        .collect::<Vec<_>>()
        .join("・")
}

fn megabytes(bytes: u64) -> String {
    grouped((bytes / MIB) as i64)
}

/// A type a person may send, as the upload declares it (its `Content-Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileType {
    Jpeg,
    Png,
    Pdf,
}

impl FileType {
    /// The accepted content types only (a media type's name is case-insensitive).
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        ACCEPTED_TYPES
            .into_iter()
            .find(|file_type| file_type.content_type().eq_ignore_ascii_case(content_type.trim()))
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Pdf => "application/pdf",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Pdf => "pdf",
        }
    }

    /// The type's name in a list of types: JPEG・PNG・PDF.
    fn label(self) -> &'static str {
        match self {
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
            Self::Pdf => "PDF",
        }
    }

    /// What a file of this type is, in a sentence.
    fn noun(self) -> &'static str {
        match self {
            Self::Jpeg => "JPEG画像",
            Self::Png => "PNG画像",
            Self::Pdf => "PDF",
        }
    }
}

/// What a file's first bytes say it is, when they say something we can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    Accepted(FileType),
    /// An iPhone's photo as it is stored on the phone (HEIF/HEIC).
    Heic,
    Webp,
    Gif,
    Tiff,
    Bmp,
    /// A ZIP container: Word, Excel and other office files are ones.
    Zip,
}

impl Content {
    fn of(bytes: &[u8]) -> Option<Self> {
        let signature = |magic: &[u8]| bytes.starts_with(magic);
        let brand = bytes.get(4..12);
        Some(if signature(b"\xFF\xD8\xFF") {
            Self::Accepted(FileType::Jpeg)
        } else if signature(b"\x89PNG\r\n\x1A\n") {
            Self::Accepted(FileType::Png)
        } else if bytes[..bytes.len().min(PDF_HEADER_WINDOW)]
            .windows(5)
            .any(|window| window == b"%PDF-")
        {
            Self::Accepted(FileType::Pdf)
        } else if brand.is_some_and(|brand| {
            [
                &b"ftypheic"[..],
                b"ftypheix",
                b"ftyphevc",
                b"ftypheif",
                b"ftypmif1",
                b"ftypmsf1",
            ]
            .contains(&brand)
        }) {
            Self::Heic
        } else if signature(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
            Self::Webp
        } else if signature(b"GIF87a") || signature(b"GIF89a") {
            Self::Gif
        } else if signature(b"II*\0") || signature(b"MM\0*") {
            Self::Tiff
        } else if signature(b"BM") {
            Self::Bmp
        } else if signature(b"PK\x03\x04") {
            Self::Zip
        } else {
            return None;
        })
    }

    fn noun(self) -> &'static str {
        match self {
            Self::Accepted(file_type) => file_type.noun(),
            Self::Heic => "HEIC形式の写真",
            Self::Webp => "WebP画像",
            Self::Gif => "GIF画像",
            Self::Tiff => "TIFF画像",
            Self::Bmp => "BMP画像",
            Self::Zip => "ZIP形式のファイル（WordやExcelなど）",
        }
    }
}

/// Readers look for `%PDF-` within the first kilobyte: some producers put bytes before it.
const PDF_HEADER_WINDOW: usize = 1024;

/// Why a file is refused. Each says what to do in `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    Empty,
    TooLarge {
        size: u64,
    },
    /// The bytes are not what the upload declared (a PDF named .jpg); `found` names what they
    /// are when their first bytes say.
    TypeMismatch {
        declared: FileType,
        found: Option<Content>,
    },
    /// An image wider, taller or with more pixels than we decode.
    ImageTooLarge,
    /// An image that does not decode to the end: cut off or corrupt.
    Undecodable(FileType),
    EncryptedPdf,
    PdfWithJavaScript,
    UnreadablePdf,
}

impl Rejection {
    /// The reason for the person, in Japanese, with what to do about it.
    pub fn message(&self) -> String {
        match self {
            Self::Empty => "ファイルが空です（0バイト）。もう一度ファイルを選んで送ってください。".to_string(),
            Self::TooLarge { size } => format!(
                "ファイルが大きすぎます（{:.1}MB）。{}",
                *size as f64 / MIB as f64,
                stated!(
                    "1ファイル{}MBまでです。写真は撮り直すか小さくして、PDFはページを分けて保存し直してから送ってください。",
                    megabytes(MAX_FILE_BYTES)
                )
            ),
            Self::TypeMismatch { declared, found: Some(Content::Heic) } => format!(
                "ファイルの中身が{}ではなくHEIC形式の写真です。HEIC形式は受け付けていません。写真をJPEGで保存し直すか、iPhoneの「設定」→「カメラ」→「フォーマット」を「互換性優先」にして撮り直してください。",
                declared.noun()
            ),
            Self::TypeMismatch { declared, found: Some(Content::Accepted(found)) } => format!(
                "ファイルの中身が{}ではなく{}です。ファイル名の拡張子が中身と合っていません。拡張子を「.{}」に直してから、もう一度選んでください。",
                declared.noun(),
                found.noun(),
                found.extension()
            ),
            Self::TypeMismatch { declared, found: Some(found) } => format!(
                "ファイルの中身が{}ではなく{}です。{}",
                declared.noun(),
                found.noun(),
                resend_as_accepted()
            ),
            Self::TypeMismatch { declared, found: None } => format!(
                "ファイルの中身が{}ではありません（別の種類のファイルか、壊れています）。{}",
                declared.noun(),
                resend_as_accepted()
            ),
            Self::ImageTooLarge => stated!(
                "画像が大きすぎます。縦横それぞれ{}ピクセル以内・{}万画素以内に小さくしてから送ってください。",
                grouped(i64::from(MAX_IMAGE_SIDE)),
                grouped((MAX_IMAGE_PIXELS / 10_000) as i64)
            )
            .to_string(),
            Self::Undecodable(file_type) => format!(
                "{}を最後まで読み取れません。ファイルが途中で切れているか、壊れています。もう一度撮影するか、元のファイルを選び直して送ってください。",
                file_type.noun()
            ),
            Self::EncryptedPdf => "PDFにパスワードや保護がかかっているため開けません。パスワードを付けずに保存し直してから送ってください。".to_string(),
            Self::PdfWithJavaScript => "PDFにJavaScript（プログラム）が含まれているため受け付けられません。印刷画面の「PDFに保存」などで保存し直してから送ってください。".to_string(),
            Self::UnreadablePdf => "PDFを読み取れません。ファイルが途中で切れているか、壊れています。元のファイルを開いて保存し直してから送ってください。".to_string(),
        }
    }
}

fn resend_as_accepted() -> &'static str {
    stated!("{}のいずれかで保存し直して送ってください。", accepted_labels())
}

/// A file that passed. `bytes` is the cleaned file to keep instead of the upload when cleaning
/// changed it; `width` and `height` are an image's, as decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub file_type: FileType,
    pub bytes: Option<Vec<u8>>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Checks an uploaded file against the type its upload declared, and cleans a photo of its
/// metadata. The size is checked first, so an oversized file is never parsed.
pub fn verify(declared: FileType, bytes: &[u8]) -> Result<Verified, Rejection> {
    if bytes.is_empty() {
        return Err(Rejection::Empty);
    }
    let size = bytes.len() as u64;
    if size > MAX_FILE_BYTES {
        return Err(Rejection::TooLarge { size });
    }
    match Content::of(bytes) {
        Some(Content::Accepted(found)) if found == declared => {}
        found => return Err(Rejection::TypeMismatch { declared, found }),
    }
    let (cleaned, decoded) = match declared {
        FileType::Pdf => {
            pdf::check(bytes).map_err(|problem| match problem {
                pdf::Problem::Unreadable => Rejection::UnreadablePdf,
                pdf::Problem::Encrypted => Rejection::EncryptedPdf,
                pdf::Problem::JavaScript => Rejection::PdfWithJavaScript,
            })?;
            return Ok(Verified {
                file_type: declared,
                bytes: None,
                width: None,
                height: None,
            });
        }
        FileType::Jpeg => {
            let segments = jpeg::Segments::read(bytes).ok_or(Rejection::Undecodable(declared))?;
            let decoded = decode(ImageFormat::Jpeg, declared, bytes)?;
            (segments.without_metadata(decoded.exif().as_deref()), decoded)
        }
        FileType::Png => {
            let chunks = png::Chunks::read(bytes).ok_or(Rejection::Undecodable(declared))?;
            let decoded = decode(ImageFormat::Png, declared, bytes)?;
            (chunks.without_metadata(decoded.exif().as_deref()), decoded)
        }
    };
    Ok(Verified {
        file_type: declared,
        bytes: (cleaned != bytes).then_some(cleaned),
        width: Some(decoded.width),
        height: Some(decoded.height),
    })
}

struct Decoded {
    width: u32,
    height: u32,
    /// The EXIF orientation (1–8) the image is shown with: cleaning keeps it, as the only tag,
    /// when it is not 1, so a phone photo taken upright is still shown upright.
    orientation: u8,
}

/// Decodes every pixel, so a cut-off or corrupt image is refused here and not by the reviewer's
/// viewer. The header's dimensions are checked before any pixel memory is taken, so a small file
/// claiming a huge image (a decompression bomb) is refused at once.
fn decode(format: ImageFormat, file_type: FileType, bytes: &[u8]) -> Result<Decoded, Rejection> {
    let undecodable = |error: ImageError| match error {
        ImageError::Limits(_) => Rejection::ImageTooLarge,
        _ => Rejection::Undecodable(file_type),
    };
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits.clone());
    let mut decoder = reader.into_decoder().map_err(undecodable)?;
    let (width, height) = decoder.dimensions();
    if width.max(height) > MAX_IMAGE_SIDE || u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS {
        return Err(Rejection::ImageTooLarge);
    }
    let orientation = decoder.orientation().map_err(undecodable)?.to_exif();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.reserve(decoder.total_bytes()).map_err(undecodable)?;
    decoder.set_limits(limits).map_err(undecodable)?;
    let length = usize::try_from(decoder.total_bytes()).map_err(|_| Rejection::ImageTooLarge)?;
    let mut pixels = vec![0; length];
    decoder.read_image(&mut pixels).map_err(undecodable)?;
    Ok(Decoded {
        width,
        height,
        orientation,
    })
}

impl Decoded {
    /// What is left of the EXIF once cleaned: the orientation alone, when it is not 1, in the
    /// smallest EXIF that states it: a big-endian TIFF header and one IFD holding the one tag.
    fn exif(&self) -> Option<Vec<u8>> {
        (self.orientation != 1).then(|| {
            let mut tiff = vec![0; 26];
            tiff[..8].copy_from_slice(b"MM\0\x2A\0\0\0\x08");
            tiff[8..10].copy_from_slice(&1u16.to_be_bytes());
            // Tag 0x0112 (Orientation), type 3 (SHORT), count 1, the value left-aligned.
            tiff[10..22].copy_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, self.orientation, 0, 0]);
            // tiff[22..26]: no next IFD.
            tiff
        })
    }
}

#[cfg(test)]
mod tests;
