//! SVG charts of observations over time (blood pressure, weight, BMI):
//! drawn from the readings alone, scaled to fit, large enough to read on a
//! tablet. Each chart is an image with a spoken summary (how many readings,
//! the latest) and its readings as a table beneath, so nothing is told by
//! colour or shape alone.

use domain::clinical::ObservationKind;
use domain::record::Observation;
use leptos::prelude::*;

const W: f64 = 640.0;
const H: f64 = 260.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// One line on a chart.
struct Series {
    label: &'static str,
    colour: &'static str,
    square: bool,
    points: Vec<(i64, f64)>,
}

fn seconds(at: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| t.timestamp())
}

fn day_text(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| {
            domain::time::london_local(d)
                .format("%-d %b %Y")
                .to_string()
        })
        .unwrap_or_default()
}

fn series(
    all: &[Observation],
    kind: ObservationKind,
    label: &'static str,
    colour: &'static str,
    square: bool,
) -> Series {
    Series {
        label,
        colour,
        square,
        points: all
            .iter()
            .filter(|o| o.kind == kind)
            .filter_map(|o| Some((seconds(&o.at)?, o.value)))
            .collect(),
    }
}

/// Round figures for the value axis: (low, high, step).
fn value_axis(lo: f64, hi: f64) -> (f64, f64, f64) {
    let span = (hi - lo).max(1.0);
    let raw = span / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let low = (lo / step).floor() * step;
    let high = (hi / step).ceil() * step;
    if high > low {
        (low, high, step)
    } else {
        (low - step, high + step, step)
    }
}

/// Draws the lines; `summary` is the chart's spoken name.
fn chart(title: &str, unit: &str, summary: String, lines: Vec<Series>, places: usize) -> AnyView {
    let (title, unit) = (title.to_string(), unit.to_string());
    let all: Vec<(i64, f64)> = lines
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .collect();
    if all.is_empty() {
        return view! {
            <figure class="bg-white p-4">
                <figcaption class="text-xl font-bold">{title}</figcaption>
                <p>"No readings recorded."</p>
            </figure>
        }
        .into_any();
    }
    let (t0, t1) = (
        all.iter().map(|p| p.0).min().unwrap_or(0),
        all.iter().map(|p| p.0).max().unwrap_or(0),
    );
    let (lo, hi, step) = value_axis(
        all.iter().map(|p| p.1).fold(f64::INFINITY, f64::min),
        all.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max),
    );
    let x = move |t: i64| {
        if t1 == t0 {
            LEFT + (W - LEFT - RIGHT) / 2.0
        } else {
            LEFT + (t - t0) as f64 / (t1 - t0) as f64 * (W - LEFT - RIGHT)
        }
    };
    let y = move |v: f64| TOP + (hi - v) / (hi - lo) * (H - TOP - BOTTOM);
    let mut ticks = Vec::new();
    let mut v = lo;
    while v <= hi + step / 2.0 {
        ticks.push(v);
        v += step;
    }
    let grid = ticks
        .into_iter()
        .map(|v| {
            view! {
                <line x1=LEFT x2=W - RIGHT y1=y(v) y2=y(v) stroke="#d8dde0" stroke-width="1" />
                <text x=LEFT - 8.0 y=y(v) + 5.0 text-anchor="end" font-size="14" fill="#212b32">{format!("{v}")}</text>
            }
        })
        .collect_view();
    let drawn = lines
        .iter()
        .map(|s| {
            let path = s
                .points
                .iter()
                .map(|(t, v)| format!("{:.1},{:.1}", x(*t), y(*v)))
                .collect::<Vec<_>>()
                .join(" ");
            let colour = s.colour;
            let marks = s
                .points
                .iter()
                .map(|(t, v)| {
                    if s.square {
                        view! { <rect x=x(*t) - 5.0 y=y(*v) - 5.0 width="10" height="10" fill=colour /> }.into_any()
                    } else {
                        view! { <circle cx=x(*t) cy=y(*v) r="6" fill=colour /> }.into_any()
                    }
                })
                .collect_view();
            view! {
                <polyline points=path fill="none" stroke=colour stroke-width="3" />
                {marks}
            }
        })
        .collect_view();
    let legend = lines
        .iter()
        .map(|s| {
            // An SVG fill, not a style attribute: the Content-Security-Policy
            // allows no inline styles.
            let shape = if s.square {
                view! { <rect width="12" height="12" fill=s.colour /> }.into_any()
            } else {
                view! { <circle cx="6" cy="6" r="6" fill=s.colour /> }.into_any()
            };
            view! {
                <span class="mr-4 inline-flex items-center gap-2">
                    <svg aria-hidden="true" class="inline-block h-3 w-3" viewBox="0 0 12 12">{shape}</svg>
                    {s.label}
                </span>
            }
        })
        .collect_view();
    // The readings, newest first, one row per time.
    let mut times: Vec<i64> = all.iter().map(|p| p.0).collect();
    times.sort_unstable_by(|a, b| b.cmp(a));
    times.dedup();
    let header = lines
        .iter()
        .map(|s| view! { <th scope="col" class="p-2">{format!("{} ({unit})", s.label)}</th> })
        .collect_view();
    let rows = times
        .into_iter()
        .map(|t| {
            let cells = lines
                .iter()
                .map(|s| {
                    let v = s.points.iter().find(|p| p.0 == t).map(|p| format!("{:.*}", places, p.1));
                    view! { <td class="p-2">{v.unwrap_or_default()}</td> }
                })
                .collect_view();
            view! { <tr class="border-t border-nhs-grey-4"><td class="p-2">{day_text(t)}</td>{cells}</tr> }
        })
        .collect_view();
    view! {
        <figure class="bg-white p-4">
            <figcaption class="text-xl font-bold">{title.clone()}</figcaption>
            <p class="text-sm">{legend}</p>
            <svg role="img" aria-label=summary viewBox=format!("0 0 {W} {H}") class="w-full" preserveAspectRatio="xMidYMid meet">
                {grid}
                <line x1=LEFT x2=LEFT y1=TOP y2=H - BOTTOM stroke="#425563" stroke-width="2" />
                <line x1=LEFT x2=W - RIGHT y1=H - BOTTOM y2=H - BOTTOM stroke="#425563" stroke-width="2" />
                <text x=LEFT y=H - 12.0 font-size="14" fill="#212b32">{day_text(t0)}</text>
                <text x=W - RIGHT y=H - 12.0 text-anchor="end" font-size="14" fill="#212b32">{day_text(t1)}</text>
                {drawn}
            </svg>
            <details class="mt-2">
                <summary class="op-link cursor-pointer">{format!("{title}: readings as a table")}</summary>
                <table class="w-full">
                    <thead><tr class="text-left"><th scope="col" class="p-2">"Date"</th>{header}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </figure>
    }
    .into_any()
}

/// One laboratory test's values over time (`points`: RFC 3339, value),
/// drawn like the observation charts, with the same table beneath.
pub(crate) fn trend(title: &str, unit: &str, points: &[(String, f64)]) -> AnyView {
    let points: Vec<(i64, f64)> = points
        .iter()
        .filter_map(|(at, v)| Some((seconds(at)?, *v)))
        .collect();
    let summary = match points.last() {
        Some((_, v)) => format!(
            "{title}: {}, latest {} {unit}",
            count_text(points.len()),
            domain::results::number(*v)
        ),
        None => format!("{title}: no values"),
    };
    let line = Series {
        label: "Result",
        colour: "#005eb8",
        square: false,
        points,
    };
    chart(title, unit, summary, vec![line], 1)
}

fn latest(all: &[Observation], kind: ObservationKind) -> Option<&Observation> {
    all.iter()
        .filter(|o| o.kind == kind)
        .max_by(|a, b| a.at.cmp(&b.at))
}

fn count_text(n: usize) -> String {
    if n == 1 {
        "1 reading".into()
    } else {
        format!("{n} readings")
    }
}

/// Blood pressure, weight and BMI charts.
pub fn observation_charts(all: &[Observation]) -> impl IntoView {
    let bp = {
        let lines = vec![
            series(all, ObservationKind::Systolic, "Systolic", "#005eb8", false),
            series(
                all,
                ObservationKind::Diastolic,
                "Diastolic",
                "#330072",
                true,
            ),
        ];
        let n = lines[0].points.len();
        let summary = match (
            latest(all, ObservationKind::Systolic),
            latest(all, ObservationKind::Diastolic),
        ) {
            (Some(s), Some(d)) => format!(
                "Blood pressure chart: {}, latest {}/{} mmHg on {}",
                count_text(n),
                ObservationKind::Systolic.format(s.value),
                ObservationKind::Diastolic.format(d.value),
                seconds(&s.at).map(day_text).unwrap_or_default()
            ),
            _ => "Blood pressure chart: no readings".into(),
        };
        chart("Blood pressure", "mmHg", summary, lines, 0)
    };
    let single = |kind: ObservationKind, title: &'static str, label: &'static str| {
        let line = series(all, kind, label, "#005eb8", false);
        let n = line.points.len();
        let summary = match latest(all, kind) {
            Some(o) => format!(
                "{title} chart: {}, latest {} {} on {}",
                count_text(n),
                kind.format(o.value),
                kind.unit(),
                seconds(&o.at).map(day_text).unwrap_or_default()
            ),
            None => format!("{title} chart: no readings"),
        };
        chart(title, kind.unit(), summary, vec![line], 1)
    };
    view! {
        <div class="grid gap-4 lg:grid-cols-3">
            {bp}
            {single(ObservationKind::Weight, "Weight", "Weight")}
            {single(ObservationKind::Bmi, "BMI", "BMI")}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::value_axis;

    #[test]
    fn the_value_axis_has_round_steps_covering_every_reading() {
        assert_eq!(value_axis(86.0, 138.0), (80.0, 140.0, 20.0));
        let (lo, hi, step) = value_axis(70.0, 70.0);
        assert!(lo <= 70.0 && hi >= 70.0 && step > 0.0 && hi > lo);
        let (lo, hi, _) = value_axis(22.9, 31.4);
        assert!(lo <= 22.9 && hi >= 31.4);
    }
}
