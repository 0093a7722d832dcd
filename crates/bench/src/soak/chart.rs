//! The soak run as an SVG: one panel a measure (deliveries/s, p99 end-to-end, RSS, data
//! directory, database), each over the run's time, so a reader sees at a glance whether any
//! drifts.

use super::sample::Sample;
use std::fmt::Write;

const WIDTH: f64 = 800.0;
const PANEL: f64 = 140.0;
const LEFT: f64 = 70.0;
const TOP: f64 = 30.0;

/// A panel: its title, and the measure it draws.
type Panel = (&'static str, fn(&Sample) -> f64);

/// The chart of `samples`, titled `title`.
pub fn svg(title: &str, samples: &[Sample]) -> String {
    let panels: [Panel; 5] = [
        ("deliveries/s", |s| s.deliveries_per_second),
        ("p99 end-to-end ms", |s| s.p99_ms),
        ("RSS MB", |s| s.rss_mb),
        ("data directory MB", |s| s.data_mb),
        ("database MB (with its write-ahead log)", |s| s.database_mb),
    ];
    let height = TOP + PANEL * panels.len() as f64 + 30.0;
    let end = samples.last().map_or(1.0, |s| s.at_seconds.max(1.0));
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="sans-serif" font-size="11"><text x="{LEFT}" y="18" font-size="13">{title}</text>"#
    );
    for (n, (name, pick)) in panels.iter().enumerate() {
        let top = TOP + PANEL * n as f64;
        let plot_height = PANEL - 30.0;
        let peak = samples.iter().map(pick).fold(0.0, f64::max).max(1e-9) * 1.1;
        let points: Vec<String> = samples
            .iter()
            .map(|s| {
                let x = LEFT + (WIDTH - LEFT - 10.0) * s.at_seconds / end;
                let y = top + plot_height * (1.0 - pick(s) / peak);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let bottom = top + plot_height;
        let _ = write!(
            out,
            r##"<text x="{LEFT}" y="{}">{name}</text><line x1="{LEFT}" y1="{bottom}" x2="{}" y2="{bottom}" stroke="#999"/><line x1="{LEFT}" y1="{top}" x2="{LEFT}" y2="{bottom}" stroke="#999"/><text x="5" y="{}">{:.1}</text><text x="5" y="{bottom}">0</text><polyline fill="none" stroke="#1f77b4" stroke-width="1.2" points="{}"/>"##,
            top - 4.0,
            WIDTH - 10.0,
            top + 10.0,
            peak,
            points.join(" ")
        );
    }
    let _ = write!(
        out,
        r#"<text x="{LEFT}" y="{}">0 s</text><text x="{}" y="{}" text-anchor="end">{end:.0} s</text></svg>"#,
        height - 8.0,
        WIDTH - 10.0,
        height - 8.0
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_measure_gets_a_line_with_a_point_per_sample() {
        let samples: Vec<Sample> = (1..=3)
            .map(|n| Sample {
                at_seconds: f64::from(n) * 10.0,
                deliveries_per_second: 1000.0,
                p99_ms: 12.0,
                rss_mb: 40.0,
                data_mb: f64::from(n),
                database_mb: f64::from(n),
            })
            .collect();
        let svg = svg("soak", &samples);
        assert_eq!(svg.matches("<polyline").count(), 5);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        let first_line = svg.split("points=\"").nth(1).unwrap();
        assert_eq!(first_line.split('"').next().unwrap().split(' ').count(), 3);
    }
}
