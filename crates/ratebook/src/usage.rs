//! What a request (or a workload) consumed, in the providers' units.
//!
//! Conventions, fixed here once so every token is billed exactly once: the `input_*` counts are
//! all prompt tokens of that modality INCLUDING cache reads and cache writes (OpenAI's and
//! Gemini's convention; Anthropic usage is converted on the way in). `cached` and the cache
//! writes are subsets of them.

use crate::map::Map;

/// Generated images at one resolution (`1K`, `4K`, `1024x1024:high`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageCount {
    /// The resolution key, as the price entry's `output_image_tokens` or `output_image_fees` name it.
    pub resolution: String,
    /// How many images were generated at it.
    pub count: u64,
}

/// Generated video at one resolution, in seconds (`8@720p`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoSeconds {
    /// The resolution key, as the price entry's `output_video_seconds` names it (`720p`,
    /// `1080p:audio`).
    pub resolution: String,
    /// Seconds of video generated at it.
    pub seconds: u64,
}

/// An input image whose tokens are estimated with the model's image scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputImage {
    /// Width in px (1–100,000).
    pub width: u32,
    /// Height in px (1–100,000).
    pub height: u32,
    /// The detail level (`low`, `high`, a `media_resolution` level); the scheme's default when `None`.
    pub detail: Option<String>,
}

/// Everything metered in one request or one workload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Usage {
    /// Text prompt tokens, including cache reads and cache writes.
    pub input_text: u64,
    /// Image prompt tokens, including cache reads and writes.
    pub input_image: u64,
    /// Audio prompt tokens, including cache reads and writes.
    pub input_audio: u64,
    /// Video prompt tokens, including cache reads and writes.
    pub input_video: u64,
    /// Of the prompt tokens, those read from cache (all modalities).
    pub cached: u64,
    /// Of `cached`, those that were audio (priced apart by some models).
    pub cached_audio: u64,
    /// Of `cached`, those that were image input (priced apart by some image models).
    pub cached_image: u64,
    /// Of the prompt tokens, those written to cache with a 5-minute time to live.
    pub cache_write_5m: u64,
    /// Of the prompt tokens, those written to cache with a 1-hour time to live.
    pub cache_write_1h: u64,
    /// Cache storage in token-hours.
    pub cache_storage_token_hours: u64,
    /// Text output tokens, reasoning/thinking tokens included.
    pub output_text: u64,
    /// Image output tokens (billed at the `output_image` rate).
    pub output_image: u64,
    /// Audio output tokens.
    pub output_audio: u64,
    /// Generated video billed as tokens (`output_video` rate).
    pub output_video_tokens: u64,
    /// Generated images by resolution (tokens per image come from the card).
    pub output_images: Vec<ImageCount>,
    /// Generated video by resolution, in seconds.
    pub output_video: Vec<VideoSeconds>,
    /// Input audio billed by duration (transcription), in seconds.
    pub input_audio_seconds: u64,
    /// Input billed by characters (speech), in characters.
    pub input_characters: u64,
    /// Input images to estimate; their tokens are added to image input.
    pub input_images: Vec<InputImage>,
    /// Per-call fees by fee id (`search`), in calls.
    pub calls: Map<String, u64>,
}

impl Usage {
    /// A text-only request.
    pub fn text(input: u64, output: u64) -> Usage {
        Usage {
            input_text: input,
            output_text: output,
            ..Usage::default()
        }
    }

    /// All prompt tokens of every modality (saturating: a sum past `u64::MAX` is rejected later
    /// by the estimate's checked arithmetic anyway).
    pub fn prompt_tokens(&self) -> u64 {
        self.input_text
            .saturating_add(self.input_image)
            .saturating_add(self.input_audio)
            .saturating_add(self.input_video)
    }
}

use crate::error::{Error, ErrorKind};

fn bad(msg: String) -> Error {
    Error::new(ErrorKind::InvalidValue, msg)
}

impl ImageCount {
    /// Parses `N@RES` (`1@1K`, `2@4K`, `3@1024x1024:high`); a bare `RES` means one image.
    pub fn parse(s: &str) -> Result<ImageCount, Error> {
        let s = s.trim();
        let (count, res) = match s.split_once('@') {
            Some((n, r)) => {
                let n = n.trim().replace([',', '_'], "");
                let count = n
                    .parse::<u64>()
                    .map_err(|_| bad(format!("`{s}`: image count `{n}` is not a whole number")))?;
                (count, r.trim())
            }
            None => (1, s),
        };
        if res.is_empty() || res.len() > 64 {
            return Err(bad(format!("`{s}`: expected N@RESOLUTION, like 1@1K")));
        }
        Ok(ImageCount {
            resolution: res.to_string(),
            count,
        })
    }
}

impl VideoSeconds {
    /// Parses `SECONDS@RES` (`8@720p`, `12@1080p:audio`).
    pub fn parse(s: &str) -> Result<VideoSeconds, Error> {
        let s = s.trim();
        let (n, res) = s
            .split_once('@')
            .ok_or_else(|| bad(format!("`{s}`: expected SECONDS@RESOLUTION, like 8@720p")))?;
        let n = n.trim().trim_end_matches('s').replace([',', '_'], "");
        let seconds = n
            .parse::<u64>()
            .map_err(|_| bad(format!("`{s}`: seconds `{n}` is not a whole number")))?;
        let res = res.trim();
        if res.is_empty() || res.len() > 64 {
            return Err(bad(format!(
                "`{s}`: expected SECONDS@RESOLUTION, like 8@720p"
            )));
        }
        Ok(VideoSeconds {
            resolution: res.to_string(),
            seconds,
        })
    }
}

impl std::fmt::Display for VideoSeconds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.seconds, self.resolution)
    }
}

impl std::fmt::Display for ImageCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.count, self.resolution)
    }
}

impl InputImage {
    /// Parses `WxH` or `WxH:LEVEL` (`1024x768`, `960x540:low`).
    pub fn parse(s: &str) -> Result<InputImage, Error> {
        let s = s.trim();
        let (size, detail) = match s.split_once(':') {
            Some((size, d)) => (size, Some(d.trim().to_string()).filter(|d| !d.is_empty())),
            None => (s, None),
        };
        let (w, h) = size
            .split_once(['x', 'X', '×'])
            .ok_or_else(|| bad(format!("`{s}`: expected WIDTHxHEIGHT, like 1024x768")))?;
        let px = |v: &str| {
            v.trim()
                .parse::<u32>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| bad(format!("`{s}`: `{v}` is not a positive pixel count")))
        };
        Ok(InputImage {
            width: px(w)?,
            height: px(h)?,
            detail,
        })
    }
}

impl std::fmt::Display for InputImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}", self.width, self.height)?;
        if let Some(d) = &self.detail {
            write!(f, ":{d}")?;
        }
        Ok(())
    }
}
