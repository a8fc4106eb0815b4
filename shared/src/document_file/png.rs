//! A PNG's chunks, read to IEND, and written back with only the chunks that make up the picture:
//! text (tEXt, zTXt, iTXt), EXIF (eXIf), timestamps, content credentials and private chunks go.

use std::ops::Range;

const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1A\n";

/// Chunks besides the critical ones (IHDR, PLTE, IDAT, IEND: a capital first letter) that change
/// how the picture looks: transparency, colour space and profile, gamma, background, density,
/// HDR.
const SHOWN: [&[u8; 4]; 11] = [
    b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB", b"cICP", b"mDCV", b"cLLI", b"bKGD", b"pHYs",
];

struct Chunk {
    kind: [u8; 4],
    /// The whole chunk: length, type, data and CRC.
    bytes: Range<usize>,
}

impl Chunk {
    fn is_kept(&self) -> bool {
        self.kind[0].is_ascii_uppercase() || SHOWN.contains(&&self.kind)
    }
}

pub(super) struct Chunks<'a> {
    file: &'a [u8],
    chunks: Vec<Chunk>,
}

impl<'a> Chunks<'a> {
    /// The chunks up to and including IEND, or None when the file is cut off. Anything after
    /// IEND is left out.
    pub(super) fn read(file: &'a [u8]) -> Option<Self> {
        let mut at = SIGNATURE.len();
        if file.get(..at)? != SIGNATURE {
            return None;
        }
        let mut chunks = Vec::new();
        loop {
            let length = u32::from_be_bytes(file.get(at..at + 4)?.try_into().ok()?);
            let kind: [u8; 4] = file.get(at + 4..at + 8)?.try_into().ok()?;
            let end = at.checked_add(12)?.checked_add(usize::try_from(length).ok()?)?;
            if end > file.len() {
                return None;
            }
            chunks.push(Chunk { kind, bytes: at..end });
            at = end;
            if &kind == b"IEND" {
                return Some(Self { file, chunks });
            }
        }
    }

    /// The file without its metadata chunks, with the given EXIF (the orientation alone) if any
    /// as an eXIf chunk right after IHDR.
    pub(super) fn without_metadata(&self, exif: Option<&[u8]>) -> Vec<u8> {
        let mut cleaned = Vec::with_capacity(self.file.len());
        cleaned.extend_from_slice(SIGNATURE);
        for chunk in self.chunks.iter().filter(|chunk| chunk.is_kept()) {
            cleaned.extend_from_slice(&self.file[chunk.bytes.clone()]);
            if let Some(exif) = exif.filter(|_| &chunk.kind == b"IHDR") {
                write_chunk(b"eXIf", exif, &mut cleaned);
            }
        }
        cleaned
    }
}

pub(super) fn write_chunk(kind: &[u8; 4], data: &[u8], into: &mut Vec<u8>) {
    let length = u32::try_from(data.len()).expect("a small chunk");
    into.extend_from_slice(&length.to_be_bytes());
    into.extend_from_slice(kind);
    into.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    into.extend_from_slice(&crc.finalize().to_be_bytes());
}
