//! A recommendation as a timeline: the projected resignation peaks shaded, and for each of
//! the best candidates its implementation, go-live and stabilization on one row.

use chrono::NaiveDate;
use plotters::prelude::*;

use super::{BAR, FONT, PEAK, PictureError, SHADE, STABLE, WIDTH};

/// One candidate's row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub label: String,
    pub start: NaiveDate,
    pub go_live: NaiveDate,
    pub stabilization_end: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub title: String,
    pub x_axis: String,
    /// Legend entries: implementation, stabilization, resignation peak, go-live.
    pub legend: [String; 4],
    pub peaks: Vec<(NaiveDate, NaiveDate)>,
    /// Best first.
    pub rows: Vec<Row>,
}

fn x(origin: NaiveDate, d: NaiveDate) -> f64 {
    (d - origin).num_days() as f64
}

pub fn draw(t: &Timeline) -> Result<String, PictureError> {
    let (Some(first), Some(last)) = (
        t.rows.iter().map(|r| r.start).min(),
        t.rows.iter().map(|r| r.stabilization_end).max(),
    ) else {
        return Err(PictureError("a timeline needs at least one row".into()));
    };
    // A month of margin each side, so a peak just outside still shows its edge.
    let (from, to) = (-30.0, x(first, last) + 31.0);
    let n = t.rows.len();
    let mut svg = String::new();
    {
        // Below the rows, a band of their height for the legend.
        const LEGEND: f64 = 1.8;
        let height = 160 + (48.0 * (n as f64 + LEGEND)) as u32;
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(PictureError::from_plotters)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&t.title, (FONT, 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(200)
            .build_cartesian_2d(from..to, -LEGEND..n as f64)
            .map_err(PictureError::from_plotters)?;
        let labels: Vec<String> = t.rows.iter().map(|r| r.label.clone()).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(2 * (n + 2) + 1)
            .y_label_formatter(&|y| {
                // Row i sits at n - i - 0.5, best at the top.
                let i = n as f64 - 0.5 - y;
                if (i - i.round()).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i.round() as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_labels(12)
            .x_label_formatter(&|d| {
                first
                    .checked_add_signed(chrono::Duration::days(d.round() as i64))
                    .map(|d| d.format("%Y-%m").to_string())
                    .unwrap_or_default()
            })
            .x_desc(&t.x_axis)
            .label_style((FONT, 12))
            .draw()
            .map_err(PictureError::from_plotters)?;
        let swatch = |c: RGBColor| {
            move |(x, y): (i32, i32)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled())
        };
        chart
            .draw_series(t.peaks.iter().map(|(a, b)| {
                let (a, b) = (x(first, *a).max(from), (x(first, *b) + 1.0).min(to));
                Rectangle::new([(a, -LEGEND), (b.max(a), n as f64)], SHADE.filled())
            }))
            .map_err(PictureError::from_plotters)?
            .label(&t.legend[2])
            .legend(swatch(SHADE));
        let row_y = |i: usize| n as f64 - i as f64 - 0.5;
        chart
            .draw_series(t.rows.iter().enumerate().map(|(i, r)| {
                let y = row_y(i);
                Rectangle::new(
                    [(x(first, r.start), y - 0.3), (x(first, r.go_live), y + 0.3)],
                    BAR.filled(),
                )
            }))
            .map_err(PictureError::from_plotters)?
            .label(&t.legend[0])
            .legend(swatch(BAR));
        chart
            .draw_series(t.rows.iter().enumerate().map(|(i, r)| {
                let y = row_y(i);
                Rectangle::new(
                    [
                        (x(first, r.go_live), y - 0.3),
                        (x(first, r.stabilization_end) + 1.0, y + 0.3),
                    ],
                    STABLE.filled(),
                )
            }))
            .map_err(PictureError::from_plotters)?
            .label(&t.legend[1])
            .legend(swatch(STABLE));
        chart
            .draw_series(t.rows.iter().enumerate().map(|(i, r)| {
                let (g, y) = (x(first, r.go_live), row_y(i));
                PathElement::new(vec![(g, y - 0.4), (g, y + 0.4)], PEAK.stroke_width(3))
            }))
            .map_err(PictureError::from_plotters)?
            .label(&t.legend[3])
            .legend(|(x, y)| PathElement::new(vec![(x + 6, y - 6), (x + 6, y + 6)], PEAK));
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font((FONT, 12))
            .position(SeriesLabelPosition::LowerRight)
            .draw()
            .map_err(PictureError::from_plotters)?;
        root.present().map_err(PictureError::from_plotters)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn timeline() -> Timeline {
        Timeline {
            title: "Windows".into(),
            x_axis: "Date".into(),
            legend: [
                "Implementation".into(),
                "Stabilization".into(),
                "Peak".into(),
                "Go-live".into(),
            ],
            peaks: vec![(d("2027-02-10"), d("2027-03-09"))],
            rows: vec![
                Row {
                    label: "#1 2027-04-01".into(),
                    start: d("2027-04-01"),
                    go_live: d("2027-08-01"),
                    stabilization_end: d("2027-10-31"),
                },
                Row {
                    label: "#2 2027-03-01".into(),
                    start: d("2027-03-01"),
                    go_live: d("2027-07-01"),
                    stabilization_end: d("2027-09-30"),
                },
            ],
        }
    }

    fn fill(c: RGBColor) -> String {
        format!("fill=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2)
    }

    #[test]
    fn each_candidate_is_a_labelled_row_with_its_two_phases_and_the_peak_is_shaded() {
        let svg = draw(&timeline()).unwrap();
        let texts = crate::pictures::seasonality::tests::texts(&svg);
        assert!(texts.contains(&"#1 2027-04-01".to_owned()), "{texts:?}");
        assert!(texts.contains(&"#2 2027-03-01".to_owned()));
        // Two rows and one legend swatch for each phase; one peak and its swatch.
        assert_eq!(svg.matches(&fill(BAR)).count(), 3, "{svg}");
        assert_eq!(svg.matches(&fill(STABLE)).count(), 3);
        assert_eq!(svg.matches(&fill(SHADE)).count(), 2);
        assert!(
            texts.iter().any(|t| t.starts_with("2027-0")),
            "months on the axis"
        );
    }

    #[test]
    fn no_candidate_is_an_error_not_a_panic() {
        let mut t = timeline();
        t.rows.clear();
        assert!(draw(&t).is_err());
    }
}
