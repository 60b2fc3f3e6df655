//! Request counts and latencies, rendered in the Prometheus text format: a
//! fixed set of series held in atomics, no metrics library.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::stanza::StanzaKind;

/// The kind label: the stanza's kind, or `none` when no stanza was decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Message,
    Presence,
    Iq,
    None,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Message, Kind::Presence, Kind::Iq, Kind::None];

    fn label(self) -> &'static str {
        match self {
            Kind::Message => "message",
            Kind::Presence => "presence",
            Kind::Iq => "iq",
            Kind::None => "none",
        }
    }
}

impl From<StanzaKind> for Kind {
    fn from(kind: StanzaKind) -> Self {
        match kind {
            StanzaKind::Message => Kind::Message,
            StanzaKind::Presence => Kind::Presence,
            StanzaKind::Iq => Kind::Iq,
        }
    }
}

/// The outcome label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestOutcome {
    /// 200: a reply stanza from a handler.
    Reply,
    /// 202: no reply.
    Ack,
    /// A stanza error chosen by a handler or by dispatch (invalid payload,
    /// unhandled iq).
    Error,
    /// 500/504: a handler panicked, timed out or failed.
    Failed,
    /// Kept from the handlers by the bot's message rules.
    Skipped,
    /// Answered by the built-in disco/ping/version.
    Builtin,
    /// 503: over the concurrency limit.
    Shed,
    /// 401.
    Unauthorized,
    /// 4xx before dispatch: method, content type, size, syntax, read timeout.
    Rejected,
    /// The startup probe (`OPTIONS`).
    Probe,
}

impl RequestOutcome {
    const ALL: [RequestOutcome; 10] = [
        RequestOutcome::Reply,
        RequestOutcome::Ack,
        RequestOutcome::Error,
        RequestOutcome::Failed,
        RequestOutcome::Skipped,
        RequestOutcome::Builtin,
        RequestOutcome::Shed,
        RequestOutcome::Unauthorized,
        RequestOutcome::Rejected,
        RequestOutcome::Probe,
    ];

    fn label(self) -> &'static str {
        match self {
            RequestOutcome::Reply => "reply",
            RequestOutcome::Ack => "ack",
            RequestOutcome::Error => "error",
            RequestOutcome::Failed => "failed",
            RequestOutcome::Skipped => "skipped",
            RequestOutcome::Builtin => "builtin",
            RequestOutcome::Shed => "shed",
            RequestOutcome::Unauthorized => "unauthorized",
            RequestOutcome::Rejected => "rejected",
            RequestOutcome::Probe => "probe",
        }
    }
}

/// Upper bounds of the latency histogram buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

const SERIES: usize = Kind::ALL.len() * RequestOutcome::ALL.len();

#[derive(Debug, Default)]
struct Series {
    /// Per bucket, not cumulative; the last one is `+Inf`.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

#[derive(Debug)]
struct Registry {
    series: [Series; SERIES],
    in_flight: AtomicI64,
    /// (command, outcome) -> runs, from the guardrails' audit trail. The
    /// commands are the bot's own (declared in code), so the map stays small.
    commands: Mutex<BTreeMap<String, BTreeMap<&'static str, u64>>>,
}

/// The webhook's metrics: requests by stanza kind and outcome, their
/// latencies, and the requests in flight. Cheap to clone (a shared handle).
///
/// Serve them with [`Bot::metrics_route`](crate::Bot::metrics_route), or take
/// the handle with [`Bot::metrics`](crate::Bot::metrics) and
/// [`render`](Self::render) them wherever you like. The series:
///
/// | name | type | labels |
/// |---|---|---|
/// | `xmpp_webhook_requests_total` | counter | `kind`, `outcome` |
/// | `xmpp_webhook_request_duration_seconds` | histogram (0.5 ms to 10 s) | `kind`, `outcome` |
/// | `xmpp_webhook_requests_in_flight` | gauge | |
/// | `xmpp_bot_commands_total` | counter | `command`, `outcome` (with [guardrails](crate::guard::Guardrails)) |
///
/// `kind` is `message`, `presence`, `iq`, or `none` when the request carried
/// no stanza (a probe, a refused request). `outcome` is one of `reply` (200
/// with a reply), `ack` (202), `error` (a stanza error: chosen by a handler,
/// an invalid payload, an unhandled iq), `failed` (500/504: a handler panicked,
/// timed out or failed), `skipped` (kept from the handlers by the message
/// rules), `builtin` (answered by the built-in disco, ping or version),
/// `shed` (503: over [`Bot::max_concurrency`](crate::Bot::max_concurrency)),
/// `unauthorized` (401), `rejected` (another 4xx before dispatch: method,
/// content type, size, syntax, read timeout) and `probe` (mod_rest's
/// `OPTIONS`). Series that never happened are left out.
///
/// ```
/// use xmpp_rest_bot::Bot;
///
/// let bot: Bot = Bot::new().metrics_route("/metrics");
/// let text = bot.metrics().render();
/// assert!(text.contains("# TYPE xmpp_webhook_requests_in_flight gauge"));
/// ```
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            registry: Arc::new(Registry {
                series: std::array::from_fn(|_| Series::default()),
                in_flight: AtomicI64::new(0),
                commands: Mutex::new(BTreeMap::new()),
            }),
        }
    }
}

/// Counts a request in flight until dropped.
pub(crate) struct InFlight<'a>(&'a AtomicI64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    /// The media type of [`render`](Self::render)'s output.
    pub const CONTENT_TYPE: &'static str = "text/plain; version=0.0.4; charset=utf-8";

    pub(crate) fn in_flight(&self) -> InFlight<'_> {
        self.registry.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(&self.registry.in_flight)
    }

    pub(crate) fn record(&self, kind: Kind, outcome: RequestOutcome, elapsed: Duration) {
        let series = &self.registry.series[index(kind, outcome)];
        let seconds = elapsed.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|&bound| seconds <= bound)
            .unwrap_or(BUCKETS.len());
        series.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        series.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        series.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// The number of requests of `kind` (`"message"`, ..., `"none"`) with
    /// `outcome` (`"reply"`, ...) so far; 0 for unknown labels.
    pub fn count(&self, kind: &str, outcome: &str) -> u64 {
        let kind = Kind::ALL.iter().find(|k| k.label() == kind);
        let outcome = RequestOutcome::ALL.iter().find(|o| o.label() == outcome);
        match (kind, outcome) {
            (Some(&k), Some(&o)) => self.registry.series[index(k, o)]
                .count
                .load(Ordering::Relaxed),
            _ => 0,
        }
    }

    /// Counts a run of `command` with `outcome`.
    pub(crate) fn record_command(&self, command: &str, outcome: &'static str) {
        let mut commands = self
            .registry
            .commands
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Looked up by `&str` first: the name is allocated once per command.
        let outcomes = match commands.get_mut(command) {
            Some(outcomes) => outcomes,
            None => commands.entry(command.to_owned()).or_default(),
        };
        *outcomes.entry(outcome).or_insert(0) += 1;
    }

    /// The number of runs of `command` with `outcome` (`"ok"`, `"error"`,
    /// `"failed"`, `"unhandled"`, `"denied"`, `"rate_limited"`,
    /// `"awaiting_confirmation"`, `"cancelled"`, `"expired"`) the
    /// [guardrails](crate::guard::Guardrails) counted so far.
    pub fn command_count(&self, command: &str, outcome: &str) -> u64 {
        let commands = self
            .registry
            .commands
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        commands
            .get(command)
            .and_then(|outcomes| outcomes.get(outcome))
            .copied()
            .unwrap_or(0)
    }

    /// The requests being handled now.
    pub fn requests_in_flight(&self) -> i64 {
        self.registry.in_flight.load(Ordering::Relaxed)
    }

    /// All series in the Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        let recorded: Vec<(Kind, RequestOutcome, &Series)> = Kind::ALL
            .iter()
            .flat_map(|&k| RequestOutcome::ALL.iter().map(move |&o| (k, o)))
            .map(|(k, o)| (k, o, &self.registry.series[index(k, o)]))
            .filter(|(_, _, s)| s.count.load(Ordering::Relaxed) > 0)
            .collect();
        // Writing to a String cannot fail.
        let _ = self.write(&mut out, &recorded);
        out
    }

    fn write(
        &self,
        out: &mut String,
        recorded: &[(Kind, RequestOutcome, &Series)],
    ) -> std::fmt::Result {
        writeln!(
            out,
            "# HELP xmpp_webhook_requests_total Requests answered by the webhook, by stanza kind and outcome."
        )?;
        writeln!(out, "# TYPE xmpp_webhook_requests_total counter")?;
        for (kind, outcome, series) in recorded {
            writeln!(
                out,
                "xmpp_webhook_requests_total{{kind=\"{}\",outcome=\"{}\"}} {}",
                kind.label(),
                outcome.label(),
                series.count.load(Ordering::Relaxed)
            )?;
        }
        writeln!(
            out,
            "# HELP xmpp_webhook_request_duration_seconds Time from the start of a request to its answer."
        )?;
        writeln!(
            out,
            "# TYPE xmpp_webhook_request_duration_seconds histogram"
        )?;
        for (kind, outcome, series) in recorded {
            let labels = format!("kind=\"{}\",outcome=\"{}\"", kind.label(), outcome.label());
            let mut cumulative = 0;
            for (i, bucket) in series.buckets.iter().enumerate() {
                cumulative += bucket.load(Ordering::Relaxed);
                match BUCKETS.get(i) {
                    Some(bound) => writeln!(
                        out,
                        "xmpp_webhook_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                    )?,
                    None => writeln!(
                        out,
                        "xmpp_webhook_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {cumulative}"
                    )?,
                }
            }
            let sum = series.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
            writeln!(
                out,
                "xmpp_webhook_request_duration_seconds_sum{{{labels}}} {sum}"
            )?;
            // The count of the histogram is the sum of its buckets, read above.
            writeln!(
                out,
                "xmpp_webhook_request_duration_seconds_count{{{labels}}} {cumulative}"
            )?;
        }
        writeln!(
            out,
            "# HELP xmpp_webhook_requests_in_flight Requests being handled now."
        )?;
        writeln!(out, "# TYPE xmpp_webhook_requests_in_flight gauge")?;
        writeln!(
            out,
            "xmpp_webhook_requests_in_flight {}",
            self.requests_in_flight()
        )?;
        let commands = self
            .registry
            .commands
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if commands.is_empty() {
            return Ok(());
        }
        writeln!(
            out,
            "# HELP xmpp_bot_commands_total Commands seen by the guardrails, by command and outcome."
        )?;
        writeln!(out, "# TYPE xmpp_bot_commands_total counter")?;
        for (command, outcomes) in commands.iter() {
            for (outcome, n) in outcomes {
                writeln!(
                    out,
                    "xmpp_bot_commands_total{{command=\"{}\",outcome=\"{outcome}\"}} {n}",
                    label_value(command)
                )?;
            }
        }
        Ok(())
    }
}

/// A label value escaped as the text format wants (`\\`, `"`, newline).
fn label_value(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn index(kind: Kind, outcome: RequestOutcome) -> usize {
    let k = Kind::ALL.iter().position(|&x| x == kind).unwrap_or(0);
    let o = RequestOutcome::ALL
        .iter()
        .position(|&x| x == outcome)
        .unwrap_or(0);
    k * RequestOutcome::ALL.len() + o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let metrics = Metrics::default();
        metrics.record(
            Kind::Message,
            RequestOutcome::Reply,
            Duration::from_micros(300),
        );
        metrics.record(
            Kind::Message,
            RequestOutcome::Reply,
            Duration::from_millis(3),
        );
        metrics.record(
            Kind::Message,
            RequestOutcome::Reply,
            Duration::from_secs(60),
        );
        metrics.record(Kind::Iq, RequestOutcome::Builtin, Duration::from_millis(1));
        let text = metrics.render();
        assert!(
            text.contains("xmpp_webhook_requests_total{kind=\"message\",outcome=\"reply\"} 3\n")
        );
        assert!(text.contains("xmpp_webhook_requests_total{kind=\"iq\",outcome=\"builtin\"} 1\n"));
        assert!(
            !text.contains("outcome=\"ack\""),
            "unrecorded series are left out"
        );
        let bucket = |le: &str| {
            format!(
                "xmpp_webhook_request_duration_seconds_bucket{{kind=\"message\",outcome=\"reply\",le=\"{le}\"}} "
            )
        };
        assert!(text.contains(&(bucket("0.0005") + "1\n")));
        assert!(text.contains(&(bucket("0.0025") + "1\n")));
        assert!(text.contains(&(bucket("0.005") + "2\n")));
        assert!(text.contains(&(bucket("10") + "2\n")));
        assert!(text.contains(&(bucket("+Inf") + "3\n")));
        assert!(text.contains(
            "xmpp_webhook_request_duration_seconds_sum{kind=\"message\",outcome=\"reply\"} 60.0033\n"
        ));
        assert!(text.contains(
            "xmpp_webhook_request_duration_seconds_count{kind=\"message\",outcome=\"reply\"} 3\n"
        ));
        assert_eq!(metrics.count("message", "reply"), 3);
        assert_eq!(metrics.count("message", "nonsense"), 0);
    }

    #[test]
    fn in_flight_gauge_follows_guards() {
        let metrics = Metrics::default();
        let a = metrics.in_flight();
        let b = metrics.in_flight();
        assert_eq!(metrics.requests_in_flight(), 2);
        drop(a);
        assert!(
            metrics
                .render()
                .contains("xmpp_webhook_requests_in_flight 1\n")
        );
        drop(b);
        assert_eq!(metrics.requests_in_flight(), 0);
    }
}
