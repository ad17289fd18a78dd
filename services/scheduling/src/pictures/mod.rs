//! The seasonality and a recommendation drawn as SVG: plain functions from the numbers an
//! answer already holds to a picture, so the picture always says what the JSON says.

pub mod seasonality;
pub mod timeline;

use plotters::style::RGBColor;

/// Drawing into a string can only fail on a plotting bug; the handler answers 500 and logs it.
#[derive(Debug, thiserror::Error)]
#[error("drawing the picture failed: {0}")]
pub struct PictureError(String);

impl PictureError {
    fn from_plotters(e: impl std::fmt::Display) -> Self {
        Self(e.to_string())
    }
}

const WIDTH: u32 = 960;
const FONT: &str = "sans-serif";
const BAR: RGBColor = RGBColor(70, 120, 180);
const PEAK: RGBColor = RGBColor(205, 70, 60);
const STABLE: RGBColor = RGBColor(90, 160, 90);
const SHADE: RGBColor = RGBColor(245, 200, 195);
