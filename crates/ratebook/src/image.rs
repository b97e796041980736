//! Input-image token estimates: the providers' published formulas, with parameters as data.
//!
//! These are estimates made before a call (the response's usage is what is billed). Geometry
//! that needs a square root is done in exact decimals, so native and WASM builds agree to the
//! token. Every scheme's parameters are validated when the book is loaded (no zero patch size,
//! no divisor below one), so the functions here only guard against hostile image sizes.

use crate::map::Map;

use rust_decimal::MathematicalOps;
use rust_decimal::prelude::*;

use crate::error::{Error, ErrorKind};

#[cfg(feature = "schema")]
use schemars::JsonSchema;

/// The largest side accepted for an input image (no provider accepts more; it also keeps the
/// arithmetic far from overflow).
pub const MAX_IMAGE_SIDE: u32 = 100_000;

/// An image-input token scheme. `kind` selects the formula; the other fields are its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(
    feature = "schema",
    serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)
)]
#[non_exhaustive]
pub enum ImageScheme {
    /// Gemini 2.x: both sides <= `small_max` px → `small_tokens`; otherwise crop unit
    /// `floor(min(w,h) / crop_divisor)` and `tile_tokens` per tile, tiles rounded up per axis.
    GeminiTiles {
        small_max: u32,
        small_tokens: u64,
        #[cfg_attr(feature = "schema", schemars(with = "crate::money::Amount"))]
        crop_divisor: Decimal,
        tile_tokens: u64,
    },
    /// A fixed token budget per detail level (Gemini 3 `media_resolution`).
    FixedLevels {
        levels: Map<String, u64>,
        default: String,
    },
    /// OpenAI tiles: fit inside `fit`², shrink the short side to `short_side`, count `tile`-px
    /// tiles; tokens = base + per_tile × tiles. Level `low` is `base` only.
    OpenaiTiles {
        base: u64,
        per_tile: u64,
        fit: u32,
        short_side: u32,
        tile: u32,
    },
    /// OpenAI patches: `patch`-px patches after shrinking to at most `max_patches`;
    /// tokens = ceil(patches × multiplier).
    OpenaiPatches {
        patch: u32,
        max_patches: u64,
        #[cfg_attr(feature = "schema", schemars(with = "crate::money::Amount"))]
        multiplier: Decimal,
    },
    /// Anthropic: resize to a long edge <= `max_long_edge` and at most `max_tokens` patches,
    /// then `ceil(w/patch) × ceil(h/patch)`.
    AnthropicPatches {
        patch: u32,
        max_long_edge: u32,
        max_tokens: u64,
    },
}

impl ImageScheme {
    /// Detail levels a caller may pass (`--detail`, `WxH:LEVEL`).
    pub fn levels(&self) -> Vec<String> {
        match self {
            ImageScheme::FixedLevels { levels, .. } => levels.keys().cloned().collect(),
            ImageScheme::OpenaiTiles { .. } => vec!["low".into(), "high".into(), "auto".into()],
            _ => Vec::new(),
        }
    }

    /// Checks the parameters for values that make the formula meaningless.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        match self {
            ImageScheme::GeminiTiles {
                small_max,
                tile_tokens,
                crop_divisor,
                ..
            } => {
                if *crop_divisor < Decimal::ONE {
                    p.push(format!(
                        "crop_divisor must be at least 1, got {crop_divisor}"
                    ));
                }
                if *tile_tokens == 0 || *small_max == 0 {
                    p.push("tile_tokens and small_max must be positive".into());
                }
            }
            ImageScheme::FixedLevels { levels, default } => {
                if levels.is_empty() {
                    p.push("levels must list at least one level".into());
                }
                if !levels.contains_key(default) {
                    p.push(format!(
                        "default level `{default}` is not one of the levels"
                    ));
                }
            }
            ImageScheme::OpenaiTiles {
                fit,
                short_side,
                tile,
                per_tile,
                ..
            } => {
                if *tile == 0 || *fit == 0 || *short_side == 0 {
                    p.push("tile, fit and short_side must be positive".into());
                }
                if short_side > fit {
                    p.push(format!("short_side {short_side} cannot exceed fit {fit}"));
                }
                if *per_tile == 0 {
                    p.push("per_tile must be positive".into());
                }
            }
            ImageScheme::OpenaiPatches {
                patch,
                max_patches,
                multiplier,
            } => {
                if *patch == 0 || *max_patches == 0 {
                    p.push("patch and max_patches must be positive".into());
                }
                if *multiplier <= Decimal::ZERO {
                    p.push(format!("multiplier must be positive, got {multiplier}"));
                }
            }
            ImageScheme::AnthropicPatches {
                patch,
                max_long_edge,
                max_tokens,
            } => {
                if *patch == 0 || *max_long_edge == 0 || *max_tokens == 0 {
                    p.push("patch, max_long_edge and max_tokens must be positive".into());
                }
                if u64::from(*max_long_edge) < u64::from(*patch) {
                    p.push("max_long_edge must be at least one patch".into());
                }
            }
        }
        p
    }

    /// Estimated input tokens for one `width` × `height` image at `detail` (scheme default when
    /// `None`).
    pub fn tokens(&self, width: u32, height: u32, detail: Option<&str>) -> Result<u64, Error> {
        if width == 0 || height == 0 || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
            return Err(Error::new(
                ErrorKind::InvalidUsage,
                format!(
                    "image size {width}x{height} is out of range (1..={MAX_IMAGE_SIDE} px a side)"
                ),
            ));
        }
        let detail = detail
            .map(|d| d.trim().to_ascii_lowercase())
            .filter(|d| !d.is_empty());
        let reject_detail = |d: &str, allowed: &[String]| {
            let list = if allowed.is_empty() {
                "none".to_string()
            } else {
                allowed.join(", ")
            };
            Error::new(
                ErrorKind::InvalidUsage,
                format!("unknown detail level `{d}` (levels: {list})"),
            )
        };
        let (w, h) = (u64::from(width), u64::from(height));
        match self {
            ImageScheme::GeminiTiles {
                small_max,
                small_tokens,
                crop_divisor,
                tile_tokens,
            } => {
                if let Some(d) = &detail {
                    return Err(reject_detail(d, &[]));
                }
                if width <= *small_max && height <= *small_max {
                    return Ok(*small_tokens);
                }
                let crop = (Decimal::from(w.min(h)) / crop_divisor)
                    .floor()
                    .to_u64()
                    .unwrap_or(1)
                    .max(1);
                Ok(w.div_ceil(crop) * h.div_ceil(crop) * tile_tokens)
            }
            ImageScheme::FixedLevels { levels, default } => {
                let level = detail.as_deref().unwrap_or(default);
                levels
                    .get(level)
                    .copied()
                    .ok_or_else(|| reject_detail(level, &self.levels()))
            }
            ImageScheme::OpenaiTiles {
                base,
                per_tile,
                fit,
                short_side,
                tile,
            } => {
                match detail.as_deref() {
                    Some("low") => return Ok(*base),
                    None | Some("high") | Some("auto") => {}
                    Some(other) => return Err(reject_detail(other, &self.levels())),
                }
                let (mut w, mut h) = (Decimal::from(w), Decimal::from(h));
                let fit = Decimal::from(*fit);
                if w > fit || h > fit {
                    let scale = fit / w.max(h);
                    (w, h) = ((w * scale).floor(), (h * scale).floor());
                }
                let short = Decimal::from(*short_side);
                if w.min(h) > short {
                    let scale = short / w.min(h);
                    (w, h) = ((w * scale).floor(), (h * scale).floor());
                }
                let tile = Decimal::from(*tile);
                let tiles = (w / tile).ceil() * (h / tile).ceil();
                Ok(base + per_tile * tiles.to_u64().unwrap_or(0))
            }
            ImageScheme::OpenaiPatches {
                patch,
                max_patches,
                multiplier,
            } => {
                if let Some(d) = &detail {
                    return Err(reject_detail(d, &[]));
                }
                let p = u64::from(*patch);
                let mut patches = w.div_ceil(p) * h.div_ceil(p);
                if patches > *max_patches {
                    // OpenAI's published procedure: scale by sqrt(p² × budget / (w × h)), then
                    // shrink further so both sides hold a whole number of patches.
                    let (wd, hd, pd) = (Decimal::from(w), Decimal::from(h), Decimal::from(p));
                    let area_budget = pd * pd * Decimal::from(*max_patches);
                    let shrink = (area_budget / (wd * hd)).sqrt().unwrap_or(Decimal::ZERO);
                    let (sw, sh) = (wd * shrink / pd, hd * shrink / pd);
                    let adjust = |x: Decimal| {
                        if x.is_zero() {
                            Decimal::ONE
                        } else {
                            x.floor() / x
                        }
                    };
                    let shrink = shrink * adjust(sw).min(adjust(sh));
                    let rw = (wd * shrink).floor().max(Decimal::ONE);
                    let rh = (hd * shrink).floor().max(Decimal::ONE);
                    patches = ((rw / pd).ceil() * (rh / pd).ceil())
                        .to_u64()
                        .unwrap_or(*max_patches);
                    patches = patches.min(*max_patches);
                }
                Ok((Decimal::from(patches) * multiplier)
                    .ceil()
                    .to_u64()
                    .unwrap_or(u64::MAX))
            }
            ImageScheme::AnthropicPatches {
                patch,
                max_long_edge,
                max_tokens,
            } => {
                if let Some(d) = &detail {
                    return Err(reject_detail(d, &[]));
                }
                let p = u64::from(*patch);
                let (mut w, mut h) = (Decimal::from(w), Decimal::from(h));
                let long = Decimal::from(*max_long_edge);
                if w.max(h) > long {
                    let scale = long / w.max(h);
                    (w, h) = (
                        (w * scale).floor().max(Decimal::ONE),
                        (h * scale).floor().max(Decimal::ONE),
                    );
                }
                let count = |w: Decimal, h: Decimal| {
                    let pd = Decimal::from(p);
                    ((w / pd).ceil() * (h / pd).ceil())
                        .to_u64()
                        .unwrap_or(u64::MAX)
                };
                let mut tokens = count(w, h);
                if tokens > *max_tokens {
                    // Scale by sqrt(cap / tokens), then step down a pixel on the long side until
                    // the count fits (rounding up per axis can overshoot by a row of patches).
                    let scale = (Decimal::from(*max_tokens) / Decimal::from(tokens))
                        .sqrt()
                        .unwrap_or(Decimal::ONE);
                    let ratio = h / w;
                    w = (w * scale).floor().max(Decimal::ONE);
                    h = (w * ratio).floor().max(Decimal::ONE);
                    tokens = count(w, h);
                    while tokens > *max_tokens && w > Decimal::ONE {
                        w -= Decimal::ONE;
                        h = (w * ratio).floor().max(Decimal::ONE);
                        tokens = count(w, h);
                    }
                }
                Ok(tokens)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gemini2() -> ImageScheme {
        ImageScheme::GeminiTiles {
            small_max: 384,
            small_tokens: 258,
            crop_divisor: Decimal::new(15, 1),
            tile_tokens: 258,
        }
    }

    #[test]
    fn gemini_tiles_worked_example() {
        // ai.google.dev/gemini-api/docs/tokens: 960×540 → crop unit 360 → 3 × 2 tiles → 1,548.
        assert_eq!(gemini2().tokens(960, 540, None).unwrap(), 1548);
        assert_eq!(gemini2().tokens(384, 384, None).unwrap(), 258);
        assert_eq!(gemini2().tokens(385, 1, None).unwrap(), 258 * 385);
    }

    #[test]
    fn openai_tiles_worked_example() {
        // developers.openai.com images-vision: 1024×1024 high → 768×768 → 4 tiles → 85 + 4×170.
        let s = ImageScheme::OpenaiTiles {
            base: 85,
            per_tile: 170,
            fit: 2048,
            short_side: 768,
            tile: 512,
        };
        assert_eq!(s.tokens(1024, 1024, None).unwrap(), 765);
        assert_eq!(s.tokens(1024, 1024, Some("low")).unwrap(), 85);
        // 2048×4096 → 1024×2048 → 768×1536 → 2×3 tiles → 85 + 6×170 = 1,105.
        assert_eq!(s.tokens(2048, 4096, Some("high")).unwrap(), 1105);
        assert!(s.tokens(1024, 1024, Some("ultra")).is_err());
    }

    #[test]
    fn openai_patches_worked_examples() {
        // OpenAI images-vision: 1024×1024 → 32×32 = 1,024 patches; × 1.62 (gpt-4.1-mini) → 1,659.
        let s = ImageScheme::OpenaiPatches {
            patch: 32,
            max_patches: 1536,
            multiplier: Decimal::new(162, 2),
        };
        assert_eq!(s.tokens(1024, 1024, None).unwrap(), 1659);
        // 1800×2400 → 4,275 patches > 1,536 → shrink → 1056×1408 → 33×44 = 1,452; ×1.62 → 2,353.
        assert_eq!(s.tokens(1800, 2400, None).unwrap(), 2353);
    }

    #[test]
    fn anthropic_patches_worked_examples() {
        // platform.claude.com vision: 1000×1000 → 36×36 = 1,296; 200×200 → 8×8 = 64.
        let s = ImageScheme::AnthropicPatches {
            patch: 28,
            max_long_edge: 1568,
            max_tokens: 1568,
        };
        assert_eq!(s.tokens(1000, 1000, None).unwrap(), 1296);
        assert_eq!(s.tokens(200, 200, None).unwrap(), 64);
        // Huge images are capped at the token limit.
        let t = s.tokens(8000, 8000, None).unwrap();
        assert!(t <= 1568 && t > 1400, "{t}");
    }

    #[test]
    fn hostile_sizes_are_errors() {
        let s = gemini2();
        assert!(s.tokens(0, 10, None).is_err());
        assert!(s.tokens(u32::MAX, 10, None).is_err());
        assert_eq!(s.tokens(MAX_IMAGE_SIDE, 1, None).unwrap(), 258 * 100_000);
    }
}
