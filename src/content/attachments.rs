//! Files published beside an advisory: `2025/PK-2025-0007/sms.png` is published as
//! `/advisories/PK-2025-0007/sms.webp` (or `.jpg`, `.png`), next to the page that shows
//! it. Images are decoded and encoded again, which drops every byte of metadata (EXIF,
//! GPS, camera and editor tags: a screenshot must not say who took it or where), and
//! are made to fit a width and byte budget that a cheap phone on a slow network can
//! afford. PDFs and plain text are published as they are.

use std::io::Cursor;

use bytes::Bytes;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};

use crate::model::Attachment;

/// The most bytes an image may take once published: a page is under 20 KB, and
/// each image it shows under this (issue 24).
pub(crate) const IMAGE_BUDGET: usize = 60 * 1024;
/// The widths tried, widest first. 800 px is sharp on a 360 px-wide phone at 2x; a
/// narrower one is taken only when the wider ones do not fit the budget.
const WIDTHS: &[u32] = &[800, 640, 480, 360];
/// JPEG qualities tried at each width, best first.
const QUALITIES: &[u8] = &[82, 70, 58];
/// The largest file read from an advisory's folder.
pub(crate) const ATTACHMENT_MAX: u64 = 20 << 20;

/// What went wrong with one file, said to the author.
pub(crate) struct Refused {
    pub(crate) message: String,
    pub(crate) help: String,
}

/// Prepares `bytes`, the file `name` in an advisory's folder (at `path`), for publishing.
pub(crate) fn prepare(path: &str, name: &str, bytes: &[u8]) -> Result<Attachment, Refused> {
    let source_hash = xxhash_rust::xxh3::xxh3_128(bytes);
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let as_is = |content_type: &'static str| Attachment {
        name: name.to_string(),
        published_name: name.to_string(),
        bytes: Bytes::copy_from_slice(bytes),
        content_type,
        size: None,
        path: path.to_string(),
        source_hash,
    };
    match extension.as_str() {
        "png" | "jpg" | "jpeg" | "webp" => {}
        "pdf" if bytes.starts_with(b"%PDF-") => return Ok(as_is("application/pdf")),
        "txt" if std::str::from_utf8(bytes).is_ok() => return Ok(as_is("text/plain; charset=utf-8")),
        "pdf" | "txt" => {
            return Err(Refused {
                message: format!("`{name}` is not the file its name says"),
                help: "save it again as a real PDF or UTF-8 text file".into(),
            });
        }
        _ => {
            return Err(Refused {
                message: format!("`{name}` cannot be published"),
                help: "an advisory's folder holds images (PNG, JPEG, WebP), PDFs and .txt files".into(),
            });
        }
    }
    let image = decode(bytes).map_err(|e| Refused {
        message: format!("`{name}` cannot be read as an image: {e}"),
        help: "export it again as PNG or JPEG".into(),
    })?;
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let (encoded, format, (width, height)) = fit(&image);
    let (content_type, ext) = match format {
        ImageFormat::WebP => ("image/webp", "webp"),
        ImageFormat::Jpeg => ("image/jpeg", "jpg"),
        _ => ("image/png", "png"),
    };
    Ok(Attachment {
        name: name.to_string(),
        published_name: format!("{stem}.{ext}"),
        bytes: Bytes::from(encoded),
        content_type,
        size: Some((width, height)),
        path: path.to_string(),
        source_hash,
    })
}

fn decode(bytes: &[u8]) -> Result<DynamicImage, image::ImageError> {
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
    // A small file can claim a huge size: refuse to allocate more than a large photo needs.
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(512 << 20);
    reader.limits(limits);
    reader.decode()
}

/// The smallest encoding at the widest width that fits [`IMAGE_BUDGET`]: lossless WebP
/// (screenshots: sharp text, few colours) or JPEG (photos), never wider than the
/// original. If nothing fits even at the narrowest width, the smallest encoding found.
fn fit(image: &DynamicImage) -> (Vec<u8>, ImageFormat, (u32, u32)) {
    let mut smallest: Option<(Vec<u8>, ImageFormat, (u32, u32))> = None;
    let mut widths: Vec<u32> = WIDTHS.iter().map(|w| (*w).min(image.width())).collect();
    widths.dedup();
    for width in widths {
        let scaled = if width < image.width() {
            image.resize(width, u32::MAX, image::imageops::FilterType::Lanczos3)
        } else {
            image.clone()
        };
        let size = (scaled.width(), scaled.height());
        let mut candidates: Vec<(Vec<u8>, ImageFormat)> = Vec::new();
        candidates.extend(encode_webp(&scaled).map(|b| (b, ImageFormat::WebP)));
        let opaque = DynamicImage::ImageRgb8(flatten(&scaled));
        for quality in QUALITIES {
            if let Some(bytes) = encode_jpeg(&opaque, *quality) {
                let fits = bytes.len() <= IMAGE_BUDGET;
                candidates.push((bytes, ImageFormat::Jpeg));
                if fits {
                    break;
                }
            }
        }
        let best = candidates.into_iter().min_by_key(|(b, _)| b.len());
        if let Some((bytes, format)) = best {
            if bytes.len() <= IMAGE_BUDGET {
                return (bytes, format, size);
            }
            if smallest.as_ref().is_none_or(|(s, _, _)| bytes.len() < s.len()) {
                smallest = Some((bytes, format, size));
            }
        }
    }
    smallest.unwrap_or_else(|| (Vec::new(), ImageFormat::Png, (0, 0)))
}

fn encode_webp(image: &DynamicImage) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let rgba = image.to_rgba8();
    image::codecs::webp::WebPEncoder::new_lossless(&mut out)
        .encode(rgba.as_raw(), rgba.width(), rgba.height(), image::ExtendedColorType::Rgba8)
        .ok()?;
    Some(out)
}

fn encode_jpeg(image: &DynamicImage, quality: u8) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode_image(image).ok()?;
    Some(out)
}

/// The image on white, for JPEG (which has no transparency).
fn flatten(image: &DynamicImage) -> image::RgbImage {
    let rgba = image.to_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = u16::from(p[3]);
        let mix = |c: u8| ((u16::from(c) * a + 255 * (255 - a)) / 255) as u8;
        image::Rgb([mix(p[0]), mix(p[1]), mix(p[2])])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_photo_is_made_to_fit_the_budget_without_its_metadata() {
        // Noise compresses worst: the hardest case for the budget.
        let mut seed = 7u32;
        let photo = image::RgbImage::from_fn(1600, 1200, |_, _| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let v = (seed >> 16) as u8;
            image::Rgb([v, v / 2, 255 - v])
        });
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
            .encode_image(&DynamicImage::ImageRgb8(photo))
            .unwrap();
        // An EXIF segment with a GPS position, right after the start-of-image marker.
        let exif = b"Exif\0\0MM\0*GPSLatitude 24.8607 N GPSLongitude 67.0011 E";
        let mut with_exif = jpeg[..2].to_vec();
        with_exif.extend_from_slice(&[0xFF, 0xE1]);
        with_exif.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        with_exif.extend_from_slice(exif);
        with_exif.extend_from_slice(&jpeg[2..]);
        let out = prepare("2025/PK-2025-0001/photo.jpg", "photo.jpg", &with_exif).ok().unwrap();
        let (w, h) = out.size.unwrap();
        assert!(w <= 800 && h * 4 == w * 3, "{w}x{h}");
        assert!(out.bytes.len() <= IMAGE_BUDGET, "{} bytes", out.bytes.len());
        let text = String::from_utf8_lossy(&out.bytes);
        assert!(!text.contains("Exif") && !text.contains("GPS"), "metadata kept");
    }

    #[test]
    fn other_files_are_refused_or_published_as_they_are() {
        assert!(prepare("p", "notes.docx", b"PK..").is_err());
        assert!(prepare("p", "fake.pdf", b"<html>").is_err());
        let pdf = prepare("p", "report.pdf", b"%PDF-1.7 ...").ok().unwrap();
        assert_eq!((pdf.published_name.as_str(), pdf.content_type), ("report.pdf", "application/pdf"));
    }
}
