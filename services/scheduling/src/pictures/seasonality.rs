//! Seasonality as bars: one per month (or Spring Festival period), the 95% interval as a
//! whisker, peaks in another colour, the pooled rate as a line.

use plotters::prelude::*;

use super::{BAR, FONT, PEAK, PictureError, WIDTH};

/// One bar: a period's rate and its interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub rate: f64,
    pub low: f64,
    pub high: f64,
    pub peak: bool,
}

/// What the picture says, in the reader's language.
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    pub title: String,
    pub x_axis: String,
    pub y_axis: String,
    /// Legend entries: a period, a peak, the pooled rate.
    pub legend: [String; 3],
    pub pooled_rate: f64,
    pub bars: Vec<Bar>,
}

pub fn draw(b: &Bars) -> Result<String, PictureError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(PictureError::from_plotters)?;
        let top = b
            .bars
            .iter()
            .map(|x| x.high.max(x.rate))
            .fold(b.pooled_rate, f64::max);
        // Some head room; a flat zero history still gets a visible axis.
        let top = if top > 0.0 { top * 1.15 } else { 1.0 };
        let n = u32::try_from(b.bars.len()).unwrap_or(u32::MAX);
        let mut chart = ChartBuilder::on(&root)
            .caption(&b.title, (FONT, 20))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(72)
            // A u32 range is inclusive: 0..n-1 makes n segments.
            .build_cartesian_2d((0..n.saturating_sub(1)).into_segmented(), 0f64..top)
            .map_err(PictureError::from_plotters)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(b.bars.len())
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => b
                    .bars
                    .get(*i as usize)
                    .map(|x| x.label.clone())
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .y_label_formatter(&|y| format!("{y:.3}"))
            .x_desc(&b.x_axis)
            .y_desc(&b.y_axis)
            .label_style((FONT, 12))
            .draw()
            .map_err(PictureError::from_plotters)?;
        let bar = |peak: bool| {
            (0..n)
                .zip(&b.bars)
                .filter(move |(_, x)| x.peak == peak)
                .map(move |(i, x)| {
                    let c = if peak { PEAK } else { BAR };
                    let mut r = Rectangle::new(
                        [
                            (SegmentValue::Exact(i), 0.0),
                            (SegmentValue::Exact(i + 1), x.rate),
                        ],
                        c.filled(),
                    );
                    r.set_margin(0, 0, 6, 6);
                    r
                })
        };
        chart
            .draw_series(bar(false))
            .map_err(PictureError::from_plotters)?
            .label(&b.legend[0])
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], BAR.filled()));
        chart
            .draw_series(bar(true))
            .map_err(PictureError::from_plotters)?
            .label(&b.legend[1])
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], PEAK.filled()));
        // The 95% interval of each rate.
        chart
            .draw_series((0..n).zip(&b.bars).map(|(i, x)| {
                let c = || SegmentValue::CenterOf(i);
                PathElement::new(vec![(c(), x.low), (c(), x.high)], BLACK.stroke_width(1))
            }))
            .map_err(PictureError::from_plotters)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![
                    (SegmentValue::Exact(0), b.pooled_rate),
                    (SegmentValue::Exact(n), b.pooled_rate),
                ],
                BLACK.stroke_width(1),
            )))
            .map_err(PictureError::from_plotters)?
            .label(&b.legend[2])
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], BLACK));
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font((FONT, 12))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(PictureError::from_plotters)?;
        root.present().map_err(PictureError::from_plotters)?;
    }
    Ok(svg)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn bars() -> Bars {
        Bars {
            title: "Departures <per> person-month".into(),
            x_axis: "Month".into(),
            y_axis: "Rate".into(),
            legend: ["Month".into(), "Peak".into(), "Pooled rate".into()],
            pooled_rate: 0.01,
            bars: (0..12)
                .map(|i| Bar {
                    label: format!("M{}", i + 1),
                    rate: if i == 2 { 0.03 } else { 0.01 },
                    low: 0.005,
                    high: if i == 2 { 0.04 } else { 0.015 },
                    peak: i == 2,
                })
                .collect(),
        }
    }

    /// The text of every `<text>` element, as a browser shows it.
    pub(crate) fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                Some(
                    t.split_once('>')?
                        .1
                        .split_once("</text>")?
                        .0
                        .trim()
                        .to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn every_period_is_a_labelled_bar_and_the_peak_has_its_own_colour() {
        let svg = draw(&bars()).unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        let texts = texts(&svg);
        for i in 1..=12 {
            assert!(texts.contains(&format!("M{i}")), "label M{i}: {texts:?}");
        }
        let peak = format!("fill=\"#{:02X}{:02X}{:02X}\"", PEAK.0, PEAK.1, PEAK.2);
        // One peak bar and its legend swatch.
        assert_eq!(svg.matches(&peak).count(), 2, "{svg}");
        // Text is escaped, never markup.
        assert!(svg.contains("&lt;per&gt;"));
        assert!(!svg.contains("<per>"));
    }

    #[test]
    fn a_history_without_events_still_draws_axes() {
        let mut b = bars();
        for x in &mut b.bars {
            (x.rate, x.low, x.high, x.peak) = (0.0, 0.0, 0.0, false);
        }
        b.pooled_rate = 0.0;
        let svg = draw(&b).unwrap();
        assert!(texts(&svg).contains(&"Rate".to_owned()));
    }
}
