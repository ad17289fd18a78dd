//! The few distributions the seasonality needs, in closed form: no numeric library.

/// The 97.5% quantile of the standard normal: a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error below 1e-13).
pub fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1-x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + 7.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// P(X ≥ k) for X ~ Binomial(n, p): the one-sided test of "this period has more than its
/// share of the events", given the total.
pub fn binomial_upper_tail(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let (nf, lp, lq) = (n as f64, p.ln(), (1.0 - p).ln());
    let ln_n = ln_gamma(nf + 1.0);
    let log_pmf = |i: u64| {
        let i = i as f64;
        ln_n - ln_gamma(i + 1.0) - ln_gamma(nf - i + 1.0) + i * lp + (nf - i) * lq
    };
    let mode = ((nf + 1.0) * p).floor() as u64;
    let mut total = 0.0;
    for i in k..=n {
        let term = log_pmf(i).exp();
        total += term;
        // Past the mode the terms only shrink: stop once they no longer count.
        if i > mode && term < total * 1e-17 {
            break;
        }
    }
    total.min(1.0)
}

/// A 95% interval for the mean of a Poisson count `d` (Byar's approximation, within a
/// few percent of the exact interval even for small counts).
pub fn poisson_interval(d: u64) -> (f64, f64) {
    let z = Z95;
    let low = if d == 0 {
        0.0
    } else {
        let d = d as f64;
        d * (1.0 - 1.0 / (9.0 * d) - z / (3.0 * d.sqrt())).powi(3)
    };
    let u = d as f64 + 1.0;
    let high = u * (1.0 - 1.0 / (9.0 * u) + z / (3.0 * u.sqrt())).powi(3);
    (low.max(0.0), high)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_matches_factorials_and_the_half() {
        assert!((ln_gamma(1.0)).abs() < 1e-12);
        assert!((ln_gamma(11.0) - 3_628_800f64.ln()).abs() < 1e-10);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
    }

    #[test]
    fn the_binomial_tail_matches_a_direct_sum() {
        // n = 10, p = 0.3: P(X >= 6) = 0.04734899...
        assert!((binomial_upper_tail(6, 10, 0.3) - 0.047_348_987_8).abs() < 1e-8);
        assert_eq!(binomial_upper_tail(0, 10, 0.3), 1.0);
        assert_eq!(binomial_upper_tail(11, 10, 0.3), 0.0);
        let big = binomial_upper_tail(1_200, 12_000, 1.0 / 12.0);
        assert!(big > 0.0 && big < 1e-10, "{big}");
    }

    #[test]
    fn the_poisson_interval_is_close_to_the_exact_one() {
        // Exact (Garwood) 95% limits: d = 10 → 4.795..18.390; d = 0 → 0..3.689.
        let (l, h) = poisson_interval(10);
        assert!(
            (l - 4.795).abs() < 0.05 && (h - 18.390).abs() < 0.05,
            "{l} {h}"
        );
        let (l, h) = poisson_interval(0);
        assert!(l == 0.0 && (h - 3.689).abs() < 0.05, "{h}");
    }
}
