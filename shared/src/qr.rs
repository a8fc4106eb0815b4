//! QR codes drawn on the server as inline SVG, so a page shows one without a third-party script
//! or image service (the TOTP enrolment's otpauth URI, a leaflet's signup URL). Medium error
//! correction (15% of the code may be smudged), the four-module quiet zone scanners need, black
//! on white whatever the page's colours. The SVG has a viewBox and no width or height, so CSS
//! sizes it; it holds no text of the input (only modules), no script and no style attribute, so
//! it is safe to inline under the strict CSP.

use qrcode::render::{Canvas, Pixel};
use qrcode::types::Color;
use qrcode::{EcLevel, QrCode};
use std::fmt::Write as _;

/// The text is longer than a QR code holds at medium error correction (2,331 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the text does not fit in a QR code")]
pub struct DoesNotFit;

pub fn qr_svg(text: &str) -> Result<String, DoesNotFit> {
    let code = QrCode::with_error_correction_level(text, EcLevel::M).map_err(|_| DoesNotFit)?;
    Ok(code.render::<Module>().quiet_zone(true).build())
}

/// qrcode's own SVG renderer writes an XML declaration and a fixed width and height; this
/// canvas plugs into the same renderer and writes what a page inlines: one unit per module.
#[derive(Clone, Copy)]
struct Module;

impl Pixel for Module {
    type Image = String;
    type Canvas = SvgCanvas;

    fn default_unit_size() -> (u32, u32) {
        (1, 1)
    }

    fn default_color(_: Color) -> Self {
        Module
    }
}

/// The dark modules as one path. The renderer visits them row by row, left to right, and
/// adjacent dark modules of a row are drawn as one run, which keeps the path about half as long.
struct SvgCanvas {
    svg: String,
    run: Option<Run>,
}

struct Run {
    left: u32,
    top: u32,
    length: u32,
}

impl SvgCanvas {
    fn flush(&mut self) {
        if let Some(Run { left, top, length }) = self.run.take() {
            write!(self.svg, "M{left} {top}h{length}v1h-{length}z").expect("writing to a String");
        }
    }
}

impl Canvas for SvgCanvas {
    type Pixel = Module;
    type Image = String;

    fn new(width: u32, height: u32, _: Module, _: Module) -> Self {
        let svg = format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" shape-rendering="crispEdges"><rect width="{width}" height="{height}" fill="#fff"/><path fill="#000" d=""##
        );
        Self { svg, run: None }
    }

    fn draw_dark_pixel(&mut self, x: u32, y: u32) {
        match &mut self.run {
            Some(run) if run.top == y && run.left + run.length == x => run.length += 1,
            _ => {
                self.flush();
                self.run = Some(Run {
                    left: x,
                    top: y,
                    length: 1,
                });
            }
        }
    }

    fn into_image(mut self) -> String {
        self.flush();
        self.svg.push_str(r#""/></svg>"#);
        self.svg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUIET_ZONE: usize = 4;

    /// The dark modules the path draws, read back from its runs.
    fn drawn_modules(svg: &str, size: usize) -> Vec<bool> {
        let path = svg.split(r#" d=""#).nth(1).unwrap().split('"').next().unwrap();
        let mut grid = vec![false; size * size];
        for run in path.split('M').filter(|run| !run.is_empty()) {
            let (left, rest) = run.split_once(' ').unwrap();
            let (top, rest) = rest.split_once('h').unwrap();
            let (length, rest) = rest.split_once('v').unwrap();
            assert_eq!(rest, format!("1h-{length}z"));
            let (left, top, length): (usize, usize, usize) =
                (left.parse().unwrap(), top.parse().unwrap(), length.parse().unwrap());
            for x in left..left + length {
                assert!(!grid[top * size + x], "drawn twice");
                grid[top * size + x] = true;
            }
        }
        grid
    }

    #[test]
    fn the_svg_draws_the_codes_modules_inside_a_quiet_zone() {
        let text = "otpauth://totp/kennin:a%40b.jp?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=kennin&algorithm=SHA1&digits=6&period=30";
        let svg = qr_svg(text).unwrap();
        let code = QrCode::with_error_correction_level(text, EcLevel::M).unwrap();
        assert_eq!(code.error_correction_level(), EcLevel::M);
        let (modules, size) = (code.width(), code.width() + 2 * QUIET_ZONE);
        assert!(svg.starts_with(&format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" "#
        )));
        let drawn = drawn_modules(&svg, size);
        let colors = code.to_colors();
        for y in 0..size {
            for x in 0..size {
                let inside =
                    (QUIET_ZONE..QUIET_ZONE + modules).contains(&x) && (QUIET_ZONE..QUIET_ZONE + modules).contains(&y);
                let dark = inside && colors[(y - QUIET_ZONE) * modules + x - QUIET_ZONE] == Color::Dark;
                assert_eq!(drawn[y * size + x], dark, "module ({x}, {y})");
            }
        }
    }

    #[test]
    fn the_svg_scales_and_is_safe_to_inline() {
        let svg = qr_svg("https://kennin.example.jp/signup?u=<script>&x=\"'").unwrap();
        let opening = svg.split('>').next().unwrap();
        assert!(
            !opening.contains(" width=") && !opening.contains(" height="),
            "{opening}"
        );
        assert!(opening.contains("viewBox="));
        assert!(svg.contains(r##"<path fill="#000" d="M"##));
        assert!(svg.contains(r##"fill="#fff""##));
        assert!(svg.ends_with("</svg>"));
        for unsafe_part in ["<?xml", "<script", "style=", "signup", "&", "'", "on"] {
            assert!(!svg.contains(unsafe_part), "{unsafe_part}");
        }
        assert_eq!(
            svg.matches('<').count(),
            4,
            "svg, rect, path and the closing tag: {svg}"
        );
    }

    #[test]
    fn text_beyond_a_qr_codes_capacity_is_an_error() {
        assert!(qr_svg(&"a".repeat(2_331)).is_ok());
        assert_eq!(qr_svg(&"a".repeat(2_332)), Err(DoesNotFit));
    }
}
