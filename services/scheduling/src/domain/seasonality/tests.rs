use chrono::{Datelike, NaiveDate};

use super::*;
use crate::domain::festival::festival_before;
use crate::domain::synthetic::history;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const BASE: f64 = 0.0015;

#[test]
fn a_post_festival_peak_is_found_in_its_weeks_on_the_festival_basis_which_explains_it_better() {
    // Four times the hazard in the four weeks after each year's festival.
    let hazard = |day: NaiveDate| {
        let f = festival_before(day).unwrap();
        if (day - f).num_days() < 28 {
            4.0 * BASE
        } else {
            BASE
        }
    };
    let (from, to) = (d("2016-01-01"), d("2025-12-31"));
    let spans = history(500, from, to, 0, 7, hazard);
    let sf = seasonality(&spans, Basis::SpringFestival, Kind::Departures, from, to).unwrap();
    assert_eq!(sf.peaks(), vec![0], "{:?}", sf.periods);
    assert!(Basis::SpringFestival.label(0).0.contains("weeks 0-3"));
    assert!(sf.periods[0].index > 3.0 && sf.periods[0].index < 4.5);
    let cal = seasonality(&spans, Basis::Calendar, Kind::Departures, from, to).unwrap();
    assert!(sf.aic < cal.aic, "festival {} calendar {}", sf.aic, cal.aic);
    // On the calendar the same peak is smeared over January to March.
    assert!(cal.periods[1].index < sf.periods[0].index);
}

#[test]
fn flat_histories_rarely_show_any_peak() {
    let (from, to) = (d("2019-01-01"), d("2023-12-31"));
    let mut with_peaks = 0;
    for seed in 0..40 {
        let spans = history(150, from, to, 0, seed, |_| 0.002);
        for basis in [Basis::Calendar, Basis::SpringFestival] {
            let s = seasonality(&spans, basis, Kind::Departures, from, to).unwrap();
            if !s.peaks().is_empty() {
                with_peaks += 1;
            }
        }
    }
    // At most 5% expected of 80 analyses (4); allow chance a little room.
    assert!(with_peaks <= 7, "{with_peaks} of 80 showed a peak");
}

#[test]
fn a_growing_headcount_with_a_constant_hazard_shows_no_peak() {
    let (from, to) = (d("2018-01-01"), d("2023-12-31"));
    let spans = history(100, from, to, 12, 3, |_| 0.002);
    let s = seasonality(&spans, Basis::Calendar, Kind::Departures, from, to).unwrap();
    // Raw counts do grow through the year (more people in December than January)...
    assert!(
        s.periods[11].events as f64 > 1.1 * s.periods[0].events as f64,
        "{:?}",
        s.periods
    );
    // ...but per head the months are alike.
    assert!(s.peaks().is_empty(), "{:?}", s.periods);
    for p in &s.periods {
        assert!(p.index > 0.75 && p.index < 1.25, "{p:?}");
    }
}

#[test]
fn a_small_department_is_pulled_toward_the_company_pattern() {
    let hazard = |day: NaiveDate| if day.month() == 2 { 3.0 * BASE } else { BASE };
    let (from, to) = (d("2019-01-01"), d("2023-12-31"));
    let small = history(15, from, to, 0, 11, hazard);
    let mut all = history(800, from, to, 0, 12, hazard);
    all.extend(small.iter().copied());
    let company = seasonality(&all, Basis::Calendar, Kind::Departures, from, to).unwrap();
    let dept = seasonality(&small, Basis::Calendar, Kind::Departures, from, to).unwrap();
    let shrunk = shrink(&dept, &company);
    assert!(shrunk.borrowed > 0.5, "{shrunk:?}");
    let distance = |rates: Vec<f64>| -> f64 {
        let mean = rates.iter().sum::<f64>() / 12.0;
        rates
            .iter()
            .zip(&company.periods)
            .map(|(r, c)| (r / mean - c.index).powi(2))
            .sum()
    };
    let raw = distance(dept.periods.iter().map(|p| p.rate).collect());
    let pulled = distance(shrunk.periods.iter().map(|p| p.0).collect());
    assert!(pulled < raw / 2.0, "shrunk {pulled} raw {raw}");
    assert!(company.peaks().contains(&1));
}

#[test]
fn an_empty_history_has_no_rates_and_no_peaks() {
    let s = seasonality(
        &[],
        Basis::Calendar,
        Kind::Hires,
        d("2020-01-01"),
        d("2020-12-31"),
    )
    .unwrap();
    assert_eq!(s.events, 0);
    assert!(s.peaks().is_empty());
    assert!(
        s.periods
            .iter()
            .all(|p| p.rate == 0.0 && p.rate_high == 0.0)
    );
}

/// Counted the slow, obvious way: every day of the window, every spell.
fn day_by_day(
    spans: &[Span],
    basis: Basis,
    from: NaiveDate,
    to: NaiveDate,
) -> (Vec<u64>, Vec<f64>) {
    let mut events = vec![0u64; basis.periods()];
    let mut exposure = vec![0f64; basis.periods()];
    for day in from.iter_days().take_while(|d| *d <= to) {
        let p = basis.period_of(day).unwrap();
        for s in spans {
            if s.hire <= day && s.leave.is_none_or(|l| day <= l) {
                exposure[p] += 1.0;
            }
            if s.leave == Some(day) {
                events[p] += 1;
            }
        }
    }
    (events, exposure)
}

#[test]
fn person_days_and_events_per_period_match_a_day_by_day_count_on_both_bases() {
    let mut rng = crate::domain::rng::Rng::new(7);
    let base = d("2015-06-01");
    let spans: Vec<Span> = (0..300)
        .map(|_| {
            let hire = base + chrono::Days::new(rng.next_u64() % 2500);
            let leave =
                (rng.next_u64() % 3 != 0).then(|| hire + chrono::Days::new(rng.next_u64() % 1500));
            Span { hire, leave }
        })
        .collect();
    let (from, to) = (d("2017-02-11"), d("2021-09-30"));
    for basis in [Basis::Calendar, Basis::SpringFestival] {
        let got = seasonality(&spans, basis, Kind::Departures, from, to).unwrap();
        let (events, exposure) = day_by_day(&spans, basis, from, to);
        let got_events: Vec<u64> = got.periods.iter().map(|p| p.events).collect();
        let got_exposure: Vec<f64> = got.periods.iter().map(|p| p.exposure_days).collect();
        assert_eq!(got_events, events, "{basis:?}");
        assert_eq!(got_exposure, exposure, "{basis:?}");
    }
}
