//! Input-image token estimates: the providers' published formulas, with parameters as data.
//!
//! These are estimates made before a call (the response's usage is what is billed). Geometry
//! that needs a square root is done in exact decimals, so native and WASM builds agree to the
//! token. Every scheme's parameters are validated when the book is loaded (no zero patch size,
//! no divisor below one, every parameter below a domain bound), and [`ImageScheme::tokens`]
//! checks them again and uses checked arithmetic throughout, so no scheme and no image size
//! can make it panic or wrap.

use crate::map::Map;

use rust_decimal::MathematicalOps;
use rust_decimal::prelude::*;

use crate::error::{Error, ErrorKind};

#[cfg(feature = "schema")]
use schemars::JsonSchema;

/// The largest side accepted for an input image (no provider accepts more; it also keeps the
/// arithmetic far from overflow).
pub const MAX_IMAGE_SIDE: u32 = 100_000;

/// The largest token count a scheme parameter may hold (tokens per tile, per image, per level,
/// a patch budget). Real schemes use a few thousand; a larger value is a unit mistake.
pub const MAX_IMAGE_TOKENS: u64 = 1_000_000;

/// The largest `multiplier` (OpenAI patches) and `crop_divisor` (Gemini tiles) a scheme may
/// hold. Real schemes use 1.2–2.5 and 1.5.
pub const MAX_SCHEME_RATIO: Decimal = Decimal::from_parts(100, 0, 0, false, 0);

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
        /// An image with both sides at most this many px is one small image of `small_tokens`.
        small_max: u32,
        /// Tokens of a small image (both sides at most `small_max` px).
        small_tokens: u64,
        /// Divides the shorter side into the crop unit: `floor(min(w,h) / crop_divisor)` px.
        #[cfg_attr(feature = "schema", schemars(with = "crate::money::Amount"))]
        crop_divisor: Decimal,
        /// Tokens per crop-unit tile.
        tile_tokens: u64,
    },
    /// A fixed token budget per detail level (Gemini 3 `media_resolution`).
    FixedLevels {
        /// Tokens per image at each detail level (`{ low = 280, … }`).
        levels: Map<String, u64>,
        /// The level used when the caller names none; one of `levels`.
        default: String,
    },
    /// OpenAI tiles: fit inside `fit`², shrink the short side to `short_side`, count `tile`-px
    /// tiles; tokens = base + per_tile × tiles. Level `low` is `base` only.
    OpenaiTiles {
        /// Tokens every image costs; the whole cost at detail level `low`.
        base: u64,
        /// Tokens per `tile`-px tile.
        per_tile: u64,
        /// The image is first scaled down to fit inside a square of this many px a side.
        fit: u32,
        /// Then scaled down until its short side is at most this many px.
        short_side: u32,
        /// The side of a tile, in px.
        tile: u32,
    },
    /// OpenAI patches: `patch`-px patches after shrinking to at most `max_patches`;
    /// tokens = ceil(patches × multiplier).
    OpenaiPatches {
        /// The side of a patch, in px.
        patch: u32,
        /// The most patches an image may have; a larger image is shrunk to fit.
        max_patches: u64,
        /// Tokens per patch: tokens = ceil(patches × multiplier).
        #[cfg_attr(feature = "schema", schemars(with = "crate::money::Amount"))]
        multiplier: Decimal,
    },
    /// Anthropic: resize to a long edge <= `max_long_edge` and at most `max_tokens` patches,
    /// then `ceil(w/patch) × ceil(h/patch)`.
    AnthropicPatches {
        /// The side of a patch, in px; one patch is one token.
        patch: u32,
        /// The longest side an image keeps, in px; a larger image is resized down.
        max_long_edge: u32,
        /// The most patches (tokens) an image may have; a larger image is resized down.
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

    /// Checks the parameters for values that make the formula meaningless or lie outside the
    /// domain: pixel sizes in 1..=[`MAX_IMAGE_SIDE`], token counts at most [`MAX_IMAGE_TOKENS`],
    /// `crop_divisor` in 1..=[`MAX_SCHEME_RATIO`] and `multiplier` in (0, [`MAX_SCHEME_RATIO`]].
    /// With these bounds every formula's result fits a `u64` with room to spare.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        let px = |p: &mut Vec<String>, name: &str, v: u32| {
            if v > MAX_IMAGE_SIDE {
                p.push(format!(
                    "{name} {v} is above the largest image side, {MAX_IMAGE_SIDE} px"
                ));
            }
        };
        let tokens = |p: &mut Vec<String>, name: &str, v: u64| {
            if v > MAX_IMAGE_TOKENS {
                p.push(format!(
                    "{name} {v} is above {MAX_IMAGE_TOKENS} tokens (is it per image?)"
                ));
            }
        };
        match self {
            ImageScheme::GeminiTiles {
                small_max,
                small_tokens,
                tile_tokens,
                crop_divisor,
            } => {
                if *crop_divisor < Decimal::ONE || *crop_divisor > MAX_SCHEME_RATIO {
                    p.push(format!(
                        "crop_divisor must be in 1..={MAX_SCHEME_RATIO}, got {crop_divisor}"
                    ));
                }
                if *tile_tokens == 0 || *small_max == 0 {
                    p.push("tile_tokens and small_max must be positive".into());
                }
                px(&mut p, "small_max", *small_max);
                tokens(&mut p, "small_tokens", *small_tokens);
                tokens(&mut p, "tile_tokens", *tile_tokens);
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
                for (name, v) in levels {
                    tokens(&mut p, &format!("level `{name}`"), *v);
                }
            }
            ImageScheme::OpenaiTiles {
                base,
                per_tile,
                fit,
                short_side,
                tile,
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
                px(&mut p, "fit", *fit);
                px(&mut p, "short_side", *short_side);
                px(&mut p, "tile", *tile);
                tokens(&mut p, "base", *base);
                tokens(&mut p, "per_tile", *per_tile);
            }
            ImageScheme::OpenaiPatches {
                patch,
                max_patches,
                multiplier,
            } => {
                if *patch == 0 || *max_patches == 0 {
                    p.push("patch and max_patches must be positive".into());
                }
                if *multiplier <= Decimal::ZERO || *multiplier > MAX_SCHEME_RATIO {
                    p.push(format!(
                        "multiplier must be above 0 and at most {MAX_SCHEME_RATIO}, got {multiplier}"
                    ));
                }
                px(&mut p, "patch", *patch);
                tokens(&mut p, "max_patches", *max_patches);
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
                px(&mut p, "patch", *patch);
                px(&mut p, "max_long_edge", *max_long_edge);
                tokens(&mut p, "max_tokens", *max_tokens);
            }
        }
        p
    }

    /// Estimated input tokens for one `width` × `height` image at `detail` (scheme default when
    /// `None`).
    ///
    /// A scheme that [`problems`](Self::problems) rejects is an error here too (the loader never
    /// lets one into a book, but the type can be built by hand). All arithmetic is checked: a
    /// result that does not fit is an [`ErrorKind::Overflow`] error, never a wrapped number.
    pub fn tokens(&self, width: u32, height: u32, detail: Option<&str>) -> Result<u64, Error> {
        if width == 0 || height == 0 || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
            return Err(Error::new(
                ErrorKind::InvalidUsage,
                format!(
                    "image size {width}x{height} is out of range (1..={MAX_IMAGE_SIDE} px a side)"
                ),
            ));
        }
        if let Some(problem) = self.problems().into_iter().next() {
            return Err(Error::new(
                ErrorKind::Validation,
                format!("impossible image scheme: {problem}"),
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
        let overflow = || Error::overflow("image tokens");
        let mul = |a: Decimal, b: Decimal| a.checked_mul(b).ok_or_else(overflow);
        let div = |a: Decimal, b: Decimal| a.checked_div(b).ok_or_else(overflow);
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
                let crop = div(Decimal::from(w.min(h)), *crop_divisor)?
                    .floor()
                    .to_u64()
                    .unwrap_or(1)
                    .max(1);
                w.div_ceil(crop)
                    .checked_mul(h.div_ceil(crop))
                    .and_then(|tiles| tiles.checked_mul(*tile_tokens))
                    .ok_or_else(overflow)
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
                    let scale = div(fit, w.max(h))?;
                    (w, h) = (mul(w, scale)?.floor(), mul(h, scale)?.floor());
                }
                let short = Decimal::from(*short_side);
                if w.min(h) > short {
                    let scale = div(short, w.min(h))?;
                    (w, h) = (mul(w, scale)?.floor(), mul(h, scale)?.floor());
                }
                let tile = Decimal::from(*tile);
                let tiles = mul(div(w, tile)?.ceil(), div(h, tile)?.ceil())?;
                per_tile
                    .checked_mul(tiles.to_u64().unwrap_or(0))
                    .and_then(|t| t.checked_add(*base))
                    .ok_or_else(overflow)
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
                let mut patches = w
                    .div_ceil(p)
                    .checked_mul(h.div_ceil(p))
                    .ok_or_else(overflow)?;
                if patches > *max_patches {
                    // OpenAI's published procedure: scale by sqrt(p² × budget / (w × h)), then
                    // shrink further so both sides hold a whole number of patches.
                    let (wd, hd, pd) = (Decimal::from(w), Decimal::from(h), Decimal::from(p));
                    let area_budget = mul(mul(pd, pd)?, Decimal::from(*max_patches))?;
                    let shrink = div(area_budget, mul(wd, hd)?)?
                        .sqrt()
                        .unwrap_or(Decimal::ZERO);
                    let (sw, sh) = (div(mul(wd, shrink)?, pd)?, div(mul(hd, shrink)?, pd)?);
                    let adjust = |x: Decimal| {
                        if x.is_zero() {
                            Ok(Decimal::ONE)
                        } else {
                            div(x.floor(), x)
                        }
                    };
                    let shrink = mul(shrink, adjust(sw)?.min(adjust(sh)?))?;
                    let rw = mul(wd, shrink)?.floor().max(Decimal::ONE);
                    let rh = mul(hd, shrink)?.floor().max(Decimal::ONE);
                    patches = mul(div(rw, pd)?.ceil(), div(rh, pd)?.ceil())?
                        .to_u64()
                        .unwrap_or(*max_patches);
                    patches = patches.min(*max_patches);
                }
                mul(Decimal::from(patches), *multiplier)?
                    .ceil()
                    .to_u64()
                    .ok_or_else(overflow)
            }
            ImageScheme::AnthropicPatches {
                patch,
                max_long_edge,
                max_tokens,
            } => {
                if let Some(d) = &detail {
                    return Err(reject_detail(d, &[]));
                }
                let pd = Decimal::from(*patch);
                let (mut w, mut h) = (Decimal::from(w), Decimal::from(h));
                let long = Decimal::from(*max_long_edge);
                if w.max(h) > long {
                    let scale = div(long, w.max(h))?;
                    (w, h) = (
                        mul(w, scale)?.floor().max(Decimal::ONE),
                        mul(h, scale)?.floor().max(Decimal::ONE),
                    );
                }
                let count = |w: Decimal, h: Decimal| -> Result<u64, Error> {
                    mul(div(w, pd)?.ceil(), div(h, pd)?.ceil())?
                        .to_u64()
                        .ok_or_else(overflow)
                };
                let mut tokens = count(w, h)?;
                if tokens > *max_tokens {
                    // Scale by sqrt(cap / tokens), then step down a pixel on the long side until
                    // the count fits (rounding up per axis can overshoot by a row of patches).
                    let scale = div(Decimal::from(*max_tokens), Decimal::from(tokens))?
                        .sqrt()
                        .unwrap_or(Decimal::ONE);
                    let ratio = div(h, w)?;
                    w = mul(w, scale)?.floor().max(Decimal::ONE);
                    h = mul(w, ratio)?.floor().max(Decimal::ONE);
                    tokens = count(w, h)?;
                    while tokens > *max_tokens && w > Decimal::ONE {
                        w = w.checked_sub(Decimal::ONE).ok_or_else(overflow)?;
                        h = mul(w, ratio)?.floor().max(Decimal::ONE);
                        tokens = count(w, h)?;
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
