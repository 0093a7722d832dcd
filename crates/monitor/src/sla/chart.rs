//! The chart: p95 end-to-end latency per bucket over the window, with the objective as a
//! dashed line, as a self-contained SVG.

use super::report::SlaReport;
use std::fmt::Write;

const WIDTH: f64 = 800.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 50.0;

/// The chart of `report` as SVG text.
pub fn render_svg(report: &SlaReport) -> String {
    let objective_s = report.objective.latency_ms / 1000.0;
    let peak_s = report
        .p95_series
        .iter()
        .map(|(_, ms)| ms / 1000.0)
        .fold(objective_s, f64::max);
    // Ticks in minutes above two minutes, in seconds below.
    let (unit_s, unit) = if peak_s > 120.0 {
        (60.0, "min")
    } else {
        (1.0, "s")
    };
    let (top, steps) = nice_ceiling(peak_s / unit_s * 1.1);
    let y_max = top * unit_s;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let span_ms = (report.window.to - report.window.from)
        .num_milliseconds()
        .max(1) as f64;
    let x = |at: chrono::DateTime<chrono::Utc>| {
        LEFT + plot_w
            * ((at - report.window.from).num_milliseconds() as f64 / span_ms).clamp(0.0, 1.0)
    };
    let y = |seconds: f64| TOP + plot_h * (1.0 - (seconds / y_max).clamp(0.0, 1.0));

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        svg,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    let _ = writeln!(
        svg,
        r#"<text x="{LEFT}" y="22" font-size="15" font-weight="bold">p95 end-to-end latency ({} buckets of {} s)</text>"#,
        report.p95_series.len(),
        report.bucket_seconds
    );
    for step in 0..=steps {
        let value = y_max * f64::from(step) / f64::from(steps);
        let at = y(value);
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" y1="{at:.1}" x2="{:.1}" y2="{at:.1}" stroke="#e5e5e5"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6.0,
            at + 4.0,
            trim_number(value / unit_s) + " " + unit
        );
    }
    let _ = writeln!(
        svg,
        r##"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{:.1}" stroke="#333"/><line x1="{LEFT}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#333"/>"##,
        TOP + plot_h,
        TOP + plot_h,
        WIDTH - RIGHT,
        TOP + plot_h
    );
    let objective_y = y(objective_s);
    let _ = writeln!(
        svg,
        r##"<line id="objective" x1="{LEFT}" y1="{objective_y:.1}" x2="{:.1}" y2="{objective_y:.1}" stroke="#d62728" stroke-width="2" stroke-dasharray="8 5"/><text x="{:.1}" y="{:.1}" fill="#d62728" text-anchor="end">objective {}</text>"##,
        WIDTH - RIGHT,
        WIDTH - RIGHT - 4.0,
        objective_y - 6.0,
        label_seconds(objective_s)
    );
    let points: Vec<String> = report
        .p95_series
        .iter()
        .map(|(at, ms)| format!("{:.1},{:.1}", x(*at), y(ms / 1000.0)))
        .collect();
    if !points.is_empty() {
        let _ = writeln!(
            svg,
            r##"<polyline id="p95" fill="none" stroke="#1f77b4" stroke-width="2" points="{}"/>"##,
            points.join(" ")
        );
        for point in &points {
            let (px, py) = point.split_once(',').unwrap_or_default();
            let _ = writeln!(
                svg,
                r##"<circle cx="{px}" cy="{py}" r="2.5" fill="#1f77b4"/>"##
            );
        }
    } else {
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">no end-to-end latencies in the window</text>"#,
            LEFT + plot_w / 2.0,
            TOP + plot_h / 2.0
        );
    }
    let format = "%Y-%m-%d %H:%M";
    let _ = writeln!(
        svg,
        r#"<text x="{LEFT}" y="{:.1}">{}</text><text x="{:.1}" y="{:.1}" text-anchor="end">{} UTC</text>"#,
        HEIGHT - 18.0,
        report.window.from.format(format),
        WIDTH - RIGHT,
        HEIGHT - 18.0,
        report.window.to.format(format)
    );
    svg.push_str("</svg>\n");
    svg
}

/// The axis top: 1, 2 or 5 times a power of ten, at least `value`, with the number of
/// steps that gives round ticks (4 for 2, 5 for 1 and 5).
fn nice_ceiling(value: f64) -> (f64, u32) {
    if value <= 0.0 || !value.is_finite() {
        return (1.0, 5);
    }
    let magnitude = 10f64.powf(value.log10().floor());
    [(1.0, 5), (2.0, 4), (5.0, 5), (10.0, 5)]
        .iter()
        .map(|(m, steps)| (m * magnitude, *steps))
        .find(|(candidate, _)| *candidate >= value)
        .unwrap_or((10.0 * magnitude, 5))
}

fn trim_number(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn label_seconds(seconds: f64) -> String {
    if seconds >= 120.0 {
        format!("{:.1} min", seconds / 60.0)
    } else {
        format!("{seconds:.1} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ceilings() {
        assert_eq!(nice_ceiling(330.0), (500.0, 5));
        assert_eq!(nice_ceiling(100.0), (100.0, 5));
        assert_eq!(nice_ceiling(18.3), (20.0, 4));
        assert_eq!(nice_ceiling(0.0), (1.0, 5));
    }
}
