//! An invite ticket as a QR code: the modules only (the UI draws them on a
//! canvas), so that no image or markup is made here.

use qrcode::{Color, EcLevel, QrCode};

/// The QR code of `text` as `(modules, size)`: `size` × `size` characters,
/// row by row, `1` for a dark module and `0` for a light one. Empty (size
/// 0) when `text` is too long for any QR code.
pub fn modules(text: &str) -> (String, u32) {
    let Ok(code) = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::L) else {
        return (String::new(), 0);
    };
    let size = u32::try_from(code.width()).unwrap_or(0);
    let modules = code
        .to_colors()
        .into_iter()
        .map(|c| if c == Color::Dark { '1' } else { '0' })
        .collect();
    (modules, size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_fits_a_small_code() {
        let check = |text: &str, max_size: u32| {
            let (modules, size) = modules(text);
            assert!(size > 0 && size <= max_size, "{size}");
            assert_eq!(modules.len(), (size * size) as usize);
            // Finder pattern: the top-left corner is dark.
            assert!(modules.starts_with("1111111"));
        };
        check(&"LOAM1".repeat(50), 77);
        check("LOAM1ABC", 21);
    }
}
