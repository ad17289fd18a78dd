//! Tables for the terminal, coloured only when the output is one (and `NO_COLOR` is unset).

use std::io::IsTerminal;

/// Whether to colour what goes to standard output.
pub fn colours() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// The ANSI colour of a status word: red for what is broken, yellow for what is fragile.
pub fn status_colour(status: &str) -> Option<&'static str> {
    match status {
        "breached" | "overdue" => Some("31"),
        "single_point" | "at_risk" | "open" => Some("33"),
        "ok" | "completed" => Some("32"),
        _ => None,
    }
}

/// Columns padded to their widest cell; the cells of `coloured` columns painted by
/// [`status_colour`] when `colour` is on (after padding, so the columns stay aligned).
pub fn render(header: &[&str], rows: &[Vec<String>], coloured: &[usize], colour: bool) -> String {
    let width = |i: usize| {
        rows.iter()
            .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
            .chain([header[i].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let line = |cells: Vec<String>, paint: bool| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let last = i + 1 == cells.len();
            let padded = if last {
                cell.clone()
            } else {
                format!("{cell:<w$}  ", w = widths[i])
            };
            match status_colour(cell).filter(|_| paint && colour && coloured.contains(&i)) {
                Some(code) => out.push_str(&format!("\x1b[{code}m{padded}\x1b[0m")),
                None => out.push_str(&padded),
            }
        }
        out.trim_end().to_owned()
    };
    let mut out = line(header.iter().map(|h| h.to_string()).collect(), false);
    out.push('\n');
    for row in rows {
        out.push_str(&line(row.clone(), true));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_and_colour_only_when_asked() {
        let rows = vec![
            vec!["after_sales".into(), "breached".into(), "x".into()],
            vec!["it".into(), "single_point".into(), "y".into()],
        ];
        let plain = render(&["DEPARTMENT", "STATUS", "NOTE"], &rows, &[1], false);
        assert_eq!(
            plain,
            "DEPARTMENT   STATUS        NOTE\nafter_sales  breached      x\nit           single_point  y\n"
        );
        let painted = render(&["DEPARTMENT", "STATUS", "NOTE"], &rows, &[1], true);
        assert!(
            painted.contains("\x1b[31mbreached      \x1b[0m"),
            "{painted}"
        );
        assert!(!painted.starts_with('\x1b'));
    }
}
