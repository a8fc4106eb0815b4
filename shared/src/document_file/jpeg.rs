//! A JPEG's segments, read to its end-of-image marker, and written back without the ones that
//! carry metadata. The pixels are never re-encoded: the tables, frame and scans are copied as
//! they are.
//!
//! Written here rather than taken from `img-parts`, which reads segments only up to the first
//! scan and keeps the rest of the file as one opaque block: the APPn and COM segments between a
//! progressive JPEG's scans, and whatever follows the end of the image (phones append a second
//! picture there, a depth map or a gain map, with its own EXIF), would stay.

use std::ops::Range;

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const APP0: u8 = 0xE0;
const APP1: u8 = 0xE1;
const APP2: u8 = 0xE2;
const APP14: u8 = 0xEE;
const COM: u8 = 0xFE;
const TEM: u8 = 0x01;
const RST: std::ops::RangeInclusive<u8> = 0xD0..=0xD7;

struct Segment {
    marker: u8,
    /// What follows the marker: the length and the data, and after a start-of-scan header the
    /// entropy-coded data up to the next marker.
    body: Range<usize>,
}

impl Segment {
    fn data<'a>(&self, file: &'a [u8]) -> &'a [u8] {
        file.get(self.body.start + 2..self.body.end).unwrap_or_default()
    }

    /// Segments needed to decode or show the image as it was taken; every other application
    /// segment (EXIF with GPS and device, XMP, IPTC, maker data, the multi-picture index) and
    /// every comment is metadata.
    fn is_kept(&self, file: &[u8]) -> bool {
        let data = self.data(file);
        match self.marker {
            // JFIF: the pixel density, and that the colours are YCbCr.
            APP0 => data.starts_with(b"JFIF\0"),
            // The colour profile: without it a wide-gamut phone photo is shown dull.
            APP2 => data.starts_with(b"ICC_PROFILE\0"),
            // Adobe: whether the colours are RGB, YCbCr or YCCK; decoders read it.
            APP14 => data.starts_with(b"Adobe"),
            APP0..=0xEF | COM => false,
            _ => true,
        }
    }
}

pub(super) struct Segments<'a> {
    file: &'a [u8],
    segments: Vec<Segment>,
}

impl<'a> Segments<'a> {
    /// The segments from the start-of-image to the end-of-image marker, or None when the file
    /// is cut off or a segment runs past its end. Anything after the end of the image is left
    /// out.
    pub(super) fn read(file: &'a [u8]) -> Option<Self> {
        if file.get(..2) != Some(&[0xFF, SOI]) {
            return None;
        }
        let mut segments = Vec::new();
        let mut at = 2;
        loop {
            if *file.get(at)? != 0xFF {
                return None;
            }
            // A marker may be preceded by any number of fill bytes.
            while *file.get(at)? == 0xFF {
                at += 1;
            }
            let marker = file[at];
            at += 1;
            let start = at;
            match marker {
                EOI => return Some(Self { file, segments }),
                0x00 | SOI => return None,
                TEM => {}
                marker if RST.contains(&marker) => {}
                _ => {
                    let length = u16::from_be_bytes([*file.get(at)?, *file.get(at + 1)?]);
                    if length < 2 {
                        return None;
                    }
                    at += usize::from(length);
                    if at > file.len() {
                        return None;
                    }
                    if marker == SOS {
                        at = entropy_end(file, at)?;
                    }
                }
            }
            segments.push(Segment {
                marker,
                body: start..at,
            });
        }
    }

    /// The file without its metadata segments and without anything after the end of the
    /// image, with the given EXIF (the orientation alone) if any. It goes right after the start
    /// of the image (after the JFIF segment, which must come first, when there is one), so
    /// cleaning a cleaned file changes nothing.
    pub(super) fn without_metadata(&self, exif: Option<&[u8]>) -> Vec<u8> {
        let mut cleaned = Vec::with_capacity(self.file.len());
        cleaned.extend_from_slice(&[0xFF, SOI]);
        let mut kept = self
            .segments
            .iter()
            .filter(|segment| segment.is_kept(self.file))
            .peekable();
        if let Some(jfif) = kept.next_if(|segment| segment.marker == APP0) {
            self.write(jfif, &mut cleaned);
        }
        if let Some(exif) = exif {
            let length = u16::try_from(2 + 6 + exif.len()).expect("a few bytes");
            cleaned.extend_from_slice(&[0xFF, APP1]);
            cleaned.extend_from_slice(&length.to_be_bytes());
            cleaned.extend_from_slice(b"Exif\0\0");
            cleaned.extend_from_slice(exif);
        }
        for segment in kept {
            self.write(segment, &mut cleaned);
        }
        cleaned.extend_from_slice(&[0xFF, EOI]);
        cleaned
    }

    fn write(&self, segment: &Segment, into: &mut Vec<u8>) {
        into.extend_from_slice(&[0xFF, segment.marker]);
        into.extend_from_slice(&self.file[segment.body.clone()]);
    }
}

/// Where a scan's entropy-coded data ends: at the first marker that is not a stuffed 0xFF 0x00,
/// a restart marker or a fill byte. None when the file ends first.
fn entropy_end(file: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        at += file.get(at..)?.iter().position(|&byte| byte == 0xFF)?;
        match *file.get(at + 1)? {
            0x00 => at += 2,
            marker if RST.contains(&marker) => at += 2,
            0xFF => at += 1,
            _ => return Some(at),
        }
    }
}
