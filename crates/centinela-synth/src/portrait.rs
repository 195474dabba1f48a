//! A synthetic "photo" for a demo list entry: a grey head-and-shoulders
//! silhouette as a PNG, its tones drawn from the entry's id, so that the
//! demo's booth shows a notice's photo (issue 21) without any real person's
//! face. Encoded by the `png` crate; deterministic.

/// Width and height of a portrait, in pixels (Interpol's thumbnails are
/// small portraits too).
pub const PORTRAIT_SIZE: (u32, u32) = (60, 80);

/// The portrait of `entry_id`: a PNG of [`PORTRAIT_SIZE`], 8-bit grey.
pub fn portrait_png(entry_id: &str) -> Vec<u8> {
    // FNV-1a of the id: the tones and the head's size vary per entry.
    let h = entry_id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let background = 200 + (h % 40) as u8;
    let figure = 70 + ((h >> 8) % 60) as u8;
    let head_r = 13.0 + ((h >> 16) % 5) as f32;
    let (w, ht) = PORTRAIT_SIZE;
    let (cx, cy) = (w as f32 / 2.0, 30.0);
    let mut pixels = Vec::with_capacity((w * ht) as usize);
    for y in 0..ht {
        for x in 0..w {
            let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
            let head = (fx - cx).powi(2) / (head_r * 0.85).powi(2) + (fy - cy).powi(2) / head_r.powi(2) <= 1.0;
            // Shoulders: the top half of a wide ellipse below the head.
            let shoulders =
                fy >= 52.0 && (fx - cx).powi(2) / 27.0f32.powi(2) + (fy - 80.0).powi(2) / 28.0f32.powi(2) <= 1.0;
            pixels.push(if head || shoulders { figure } else { background });
        }
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, ht);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    // Writing to a Vec cannot fail, and the size matches the header.
    let mut writer = enc.write_header().expect("a PNG header to a Vec");
    writer.write_image_data(&pixels).expect("PNG data to a Vec");
    writer.finish().expect("a PNG to a Vec");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_portrait_is_a_png_of_its_size_and_differs_by_entry() {
        let a = portrait_png("E-1");
        assert!(a.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]));
        // IHDR's width and height, big-endian, after the signature and the chunk's length and type.
        assert_eq!(&a[16..24], &[0, 0, 0, 60, 0, 0, 0, 80]);
        assert_eq!(a, portrait_png("E-1"), "deterministic");
        assert_ne!(a, portrait_png("E-2"));
        assert!(a.len() < 4096, "{} bytes", a.len());
    }
}
